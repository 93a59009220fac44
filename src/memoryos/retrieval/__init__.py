"""Retrieval over all tiers: hybrid page search, segment context, knowledge, profile."""
