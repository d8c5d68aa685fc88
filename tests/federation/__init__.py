"""Tests of the federation layer: one Hub and fake remote servers."""
