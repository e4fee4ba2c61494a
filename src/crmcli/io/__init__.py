"""File formats in and out: CSV, vCard, iCalendar, rendered documents (no CLI code here)."""
