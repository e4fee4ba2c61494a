"""Agent access: the book's services as Model Context Protocol tools (``crm mcp serve``)."""
