"""``council-build``: the site built into staging, checked (links, scripts, personal
data), checksummed, signed and switched into place atomically; the one-case check."""
