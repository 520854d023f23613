"""Who may see and do what: people and their roles, wall device tokens, ingest tokens and the security log.

Nothing here knows about Flask or Dash; the web layer (dashboard/auth.py) asks these functions and
keeps its own sessions.
"""
