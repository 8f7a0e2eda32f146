"""Layer packages for the tests: modules a user would declare with ``--layers``."""
