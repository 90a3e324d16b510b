"""Quality gates: a gold set read in place, a scorer, and floors that only rise."""
