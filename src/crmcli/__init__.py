"""crmcli: a sales-force-automation CRM for the terminal."""

__version__ = "0.1.0"
