"""Directives of the site: they leave placeholders that are filled once every page
has been read (trace views, case lists, licence, accessibility results)."""
