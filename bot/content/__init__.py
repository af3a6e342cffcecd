"""Learning content: schemas, loader and the store that answers lookups."""
