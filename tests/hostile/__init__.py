"""Hostile and broken specs: the table, the canary, the fuzz test and atomic writes."""
