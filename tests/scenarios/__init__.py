"""Several Hubs in one process, joined by a fake internet that routes by host."""
