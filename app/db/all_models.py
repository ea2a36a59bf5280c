"""Imports every module that defines tables, so Base.metadata is complete for Alembic and tests."""

from app.db import artifacts, models

__all__ = ["artifacts", "models"]
