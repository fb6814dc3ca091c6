"""Handlers and ports of linkage-gateway (no I/O libraries here)."""
