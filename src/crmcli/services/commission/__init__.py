"""Compensation: commission plans and their assignment to reps, and deal splits.

The statement engine that pays them lives in ``crmcli.reports.commission``.
"""
