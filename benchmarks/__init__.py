"""Benchmarks of a real `hub serve` against many remote servers played on loopback."""
