"""The TUI's screens; the top-level ones are listed in ``crmcli.tui.registry``."""
