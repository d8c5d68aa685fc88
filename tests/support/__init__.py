"""Shared test machinery: databases, fake networks, factories."""
