"""The city's digital estate: every application in the registry, how many are connected to the room, and since when.

registry: coverage now, by agency and by dimension, and the health of connected services;
coverage: the monthly history of coverage; inventory: the registry in and out as CSV.
"""
