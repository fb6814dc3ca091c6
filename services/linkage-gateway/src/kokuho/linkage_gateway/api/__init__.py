"""The HTTP API of linkage-gateway."""
