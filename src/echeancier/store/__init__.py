"""The account store (issue #6)."""
