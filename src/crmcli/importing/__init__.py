"""CSV import of every entity: read real-world files, map their columns, validate each row
with the services' own rules, and write valid rows in batches through the Writer.

One module per job: ``reader`` (encodings, delimiters, streaming), ``mapping`` (headers and
the CRM profiles), ``convert`` (dates, amounts), ``entities`` (row → record per entity),
``pipeline`` (batches, duplicates, reject file, summary).
"""
