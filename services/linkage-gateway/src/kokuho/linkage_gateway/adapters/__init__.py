"""Adapters at the edge: PostgreSQL, keys and encryption, simulators of external systems."""
