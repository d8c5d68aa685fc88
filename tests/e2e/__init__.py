"""End-to-end tests: real `hub serve` processes on loopback ports."""
