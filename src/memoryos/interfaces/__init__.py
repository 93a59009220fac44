"""Thin shells over the library: the `memoryos` command line and the MCP server. No memory logic lives here."""
