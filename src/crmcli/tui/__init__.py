"""The full-screen Textual app (``crm tui``). Imports Textual: never import from the core."""
