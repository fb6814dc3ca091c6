"""The eligibility domain: pure, synchronous, standard library only."""
