"""Stand-ins for the counterparts of the eligibility service, run as processes by `make run`:
the resident-record system's change feed (住民記録システム, ADR 0015)."""
