"""Memory upkeep: short → mid consolidation, mid → long promotion, and the worker that runs them."""
