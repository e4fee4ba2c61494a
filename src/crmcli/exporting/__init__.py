"""Export of every entity as rows (CSV/JSON written by the output layer)."""
