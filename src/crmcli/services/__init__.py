"""The domain: every read and write the CLI, the TUI, import and sync share."""
