"""Alerts, incidents, SLA escalation and outbound webhooks: the part of the room that acts, not only watches.

Nothing here knows about Dash or Flask; rules are evaluated from the ingest sink as data arrives and
from a time-based loop (`python -m dashboard alerts`, or the thread `serve` starts).
"""
