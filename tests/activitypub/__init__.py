"""Tests of the pure protocol layer."""
