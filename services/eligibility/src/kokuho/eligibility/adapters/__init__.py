"""Adapters at the edge: PostgreSQL unit of work and read-model queries."""
