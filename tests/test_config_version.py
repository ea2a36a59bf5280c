"""config_version (R-GATE-8) changes with every part of the configuration a decision read, and only with it."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any, cast

from app.db.models import User
from app.domain.disclosures.config_version import config_version, district_config
from app.domain.rows import DistrictRow, StudentRow


def _district(**changes: Any) -> DistrictRow:
    values: dict[str, Any] = {
        "mou_signed_on": date(2024, 8, 1), "mou_withdrawn_on": None, "mou_filed_with_dese": True,
        "annual_notifications": [{"school_year": "2025-2026", "names_sros": True}],
        "settings": {"emergency_review_hours": 4, "redisclosure_notice_version": "RN-1"},
        "calendar": {"holidays": ["2026-03-04"]}, "home_language_duty": ["es"], "law_enforcement_units": []}
    return cast(DistrictRow, SimpleNamespace(**{**values, **changes}))


def _user(**changes: Any) -> User:
    values: dict[str, Any] = {"id": "sro-1", "role": "sro", "agency_type": "police", "school_ids": ["s2", "s1"],
                              "sro_certified_until": date(2027, 1, 1), "mou_contact": True,
                              "declared_relationships": []}
    return cast(User, SimpleNamespace(**{**values, **changes}))


def _student(opt_out: list[str]) -> StudentRow:
    return cast(StudentRow, SimpleNamespace(directory_opt_out=opt_out))


def test_each_part_changes_the_version() -> None:
    base = config_version(district_config(_district()), _student([]), [_user()])
    assert base.startswith("sha256:") and len(base) == len("sha256:") + 64
    assert config_version(district_config(_district()), _student([]), [_user()]) == base
    # Order inside a list the service treats as a set does not matter; key order of a setting does not either.
    assert config_version(district_config(_district()), _student([]), [_user(school_ids=["s1", "s2"])]) == base
    assert district_config(_district(settings={"redisclosure_notice_version": "RN-1", "emergency_review_hours": 4})) \
        == district_config(_district())
    changed = [
        config_version(district_config(_district(mou_withdrawn_on=date(2026, 1, 5))), _student([]), [_user()]),
        config_version(district_config(_district(settings={"emergency_review_hours": 2})), _student([]), [_user()]),
        config_version(district_config(_district(calendar={"holidays": []})), _student([]), [_user()]),
        config_version(district_config(_district()), _student(["photo"]), [_user()]),
        config_version(district_config(_district()), None, [_user()]),
        config_version(None, _student([]), [_user()]),
        config_version(district_config(_district()), _student([]), [_user(role="pd_contact")]),
        config_version(district_config(_district()), _student([]), [_user(sro_certified_until=None)]),
        config_version(district_config(_district()), _student([]), [_user(mou_contact=False)]),
        config_version(district_config(_district()), _student([]), [_user(declared_relationships=["st-1"])]),
        config_version(district_config(_district()), _student([]), [_user(), _user(id="sro-2")]),
    ]
    assert base not in changed and len(set(changed)) == len(changed)
