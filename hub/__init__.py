"""Hub: a small federated ActivityPub community hub for organisations."""

__version__ = "0.1.0"
