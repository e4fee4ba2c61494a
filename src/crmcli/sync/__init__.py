"""Sync: the operation log shipped through a shared folder, and field-by-field merge."""
