"""config_version (R-GATE-8): sha256 of the canonical district configuration a decision read.

Two steps: `district_config` digests the MOU, notices, designations, calendar and settings; `config_version` digests
that with the student's opt-outs and the roster entries (role, schools, certification, contact flag) of the parties
the decision judged.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from app.db.models import User
from app.domain.rows import DistrictRow, StudentRow


def _digest(canonical: Any) -> str:
    raw = json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=str).encode()
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def district_config(district: DistrictRow) -> str:
    return _digest({
        "mou": [str(district.mou_signed_on), str(district.mou_withdrawn_on), district.mou_filed_with_dese],
        "annual_notifications": district.annual_notifications, "settings": district.settings,
        "calendar": district.calendar, "home_language_duty": district.home_language_duty,
        "law_enforcement_units": district.law_enforcement_units})


def config_version(district_digest: str | None, student: StudentRow | None, parties: list[User]) -> str:
    roster = tuple((u.id, u.role, u.agency_type, tuple(sorted(u.school_ids or [])), str(u.sro_certified_until),
                    u.mou_contact, tuple(sorted(u.declared_relationships or []))) for u in parties)
    canonical: dict[str, Any] = {"district": district_digest, "roster": roster}  # tuples are written as arrays
    if student is not None:
        canonical["opt_out"] = tuple(sorted(student.directory_opt_out or []))
    return _digest(canonical)
