"""HTML output: need rendering, the reader-first case page, navigation, search
attributes, web metadata and the Japanese interface text."""
