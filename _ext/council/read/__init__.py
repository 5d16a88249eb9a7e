"""Reading: what may be read (confined reads, source checks, the content profile),
raw markup refused, Japanese line breaks joined, the privacy lint."""
