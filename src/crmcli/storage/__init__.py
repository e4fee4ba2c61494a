"""Storage: connections, dialects, migrations, the change log. The only SQL-dialect-aware code."""
