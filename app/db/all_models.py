"""Imports every module that defines tables, so Base.metadata is complete for Alembic and tests."""

from app.audit import models as audit_models  # noqa: F401
from app.db import artifacts, identities, models

__all__ = ["artifacts", "identities", "models"]
