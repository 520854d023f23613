"""Imports every module that declares tables, so Alembic's autogenerate and create_all see them all.

A new models module adds one import line here.
"""

from data import complaint_rollups, models  # noqa: F401
from data.alerts import models as alert_models  # noqa: F401
from data.auth import models as auth_models  # noqa: F401
from data.federation import models as federation_models  # noqa: F401
