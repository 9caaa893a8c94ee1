"""Models for reporting (issue 6)."""
