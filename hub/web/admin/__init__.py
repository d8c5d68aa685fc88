"""Staff pages: logging in, accounts, and writing, editing and deleting posts."""
