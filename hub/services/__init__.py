"""What people do with a Hub, called identically by the web UI and the command line."""
