"""Pure rules of linkage-gateway: no I/O, standard library only."""
