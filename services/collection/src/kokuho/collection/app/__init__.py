"""The use cases of collection.

Functions taking a unit of work and a command (no I/O of their own).
"""
