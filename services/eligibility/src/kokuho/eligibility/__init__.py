"""Kokuho eligibility: NHI households, qualification acquisition and loss, certificates."""
