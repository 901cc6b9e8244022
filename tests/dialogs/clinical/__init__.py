"""clinical."""
