"""Inbox activity handlers, one module per family; each fetches first, then writes once."""
