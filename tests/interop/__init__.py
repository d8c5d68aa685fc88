"""Interop: Hub judged by implementations it did not write (Fedify) and by Mastodon payloads."""
