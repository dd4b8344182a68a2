"""Ingest: readers (file I/O) -> parsers (pure) -> schema records -> a loader writing batches to a GraphStore."""
