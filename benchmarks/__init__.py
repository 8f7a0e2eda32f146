"""graphspec's benchmarks: every figure a ratio against Keras (or PyYAML) measured in the same run."""
