"""External identities: which trusted issuer's claim value names which Gatekeeper user (issue 15).

A token from a configured issuer (app/auth/issuers.py) is matched to a user by (issuer, claim value) here, never by
the claim alone: two issuers may both have a `sub` of "12345". Admins maintain the links (PUT /api/v1/users/{id}
`identities`, `gatekeeper user link`); roles and schools still come only from the users table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, UTCDateTime


class UserIdentity(Base):
    __tablename__ = "user_identities"

    issuer: Mapped[str] = mapped_column(String(500), primary_key=True)
    subject: Mapped[str] = mapped_column(String(500), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
