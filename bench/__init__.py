"""Benchmarks: each prints events/s and the ratio to a baseline measured in the same run."""
