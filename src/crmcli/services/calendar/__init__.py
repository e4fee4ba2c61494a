"""The calendar's jobs beyond storing activities: occurrences, clashes, invitations.

Imports point one way: ``activities`` → ``calendar.conflicts`` → ``agenda`` →
``calendar.occurrences`` (the agenda and activities used to import each other).
"""
