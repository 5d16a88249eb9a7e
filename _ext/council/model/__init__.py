"""The content model: the only reader of ``ubproject.toml`` (need types and their
roles, fields, enumerations, links, colours)."""
