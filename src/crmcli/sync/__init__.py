"""Team sync through a shared folder (SPEC §6): operation batches, transport, merge.

``crm sync --remote FOLDER`` ships this replica's operations from the ``changes`` log as
immutable, checksummed (optionally encrypted) batch files and merges everyone else's, field
by field. Nothing here knows a table by name except the small rule table in
:mod:`crmcli.sync.rules`: every table of the schema syncs through the change log.
"""
