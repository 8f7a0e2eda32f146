"""Call arguments (format 1.1): checked against each layer's call signature, shape rules for them."""
