"""Quote to cash: price book, quotes, orders, payments, expenses and receivables.

One module per job; :mod:`.totals` holds the quote totals rule alone.
"""
