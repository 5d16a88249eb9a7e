"""Traceability rules as pure functions over the needs, reported with file and line;
suspect links (a confirmed trace whose target text changed)."""
