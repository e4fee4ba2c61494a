"""Leads, contacts and companies (issue 3)."""
