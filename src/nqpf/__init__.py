"""Helpers for computational text analysis of the "new quality productive forces" discourse."""
