"""The three memory tiers: policy only, storage through the Store protocol."""
