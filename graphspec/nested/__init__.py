"""Nested models (format 1.1): applications, spec files and inline graphs as one node."""
