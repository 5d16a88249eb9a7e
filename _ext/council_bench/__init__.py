"""Synthetic corpora, the build benchmark (``make bench``) and page measurements."""
