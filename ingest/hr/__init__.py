"""HR export helpers: date inference, status vocabularies, manager linking, column mappings."""
