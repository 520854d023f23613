"""The benchmark harness: `python -m bench` builds (once) the large demo city and measures the room on it."""
