"""backends/keras."""
