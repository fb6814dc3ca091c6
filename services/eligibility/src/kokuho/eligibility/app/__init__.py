"""Application layer: handlers (load -> decide -> append), ports, request models."""
