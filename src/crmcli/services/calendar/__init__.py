"""The calendar's jobs beyond storing activities: occurrences, clashes, invitations.

``services.activities`` (writes and reads of activities) and ``services.agenda`` (the
views) both build on the modules here; nothing here imports either of them, which is
what breaks the cycle the two used to have.
"""
