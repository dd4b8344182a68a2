"""Mappings shipped for common HR exports (``--mapping workday``): TOML files only."""
