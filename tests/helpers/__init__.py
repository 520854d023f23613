"""Helpers shared by several test modules (kept out of test modules so no test imports another)."""
