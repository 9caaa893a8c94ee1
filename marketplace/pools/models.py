"""Models for pools (issue 6)."""
