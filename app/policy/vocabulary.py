"""The closed vocabulary (policies/vocabulary.yaml), loaded once and validated at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REQUIRED_LISTS = (
    "roles", "agency_types", "law_enforcement_agencies", "purposes", "incident_classifications",
    "incident_student_roles", "reporting_duties", "field_sources", "reasons", "bases", "ferpa_bases", "field_tags",
    "categories_37l", "consent_default_lapse", "signer_relationships", "imminence", "legal_order_kinds",
    "report_kinds", "destinations", "channels", "identified_by",
)


class VocabularyError(ValueError):
    """policies/vocabulary.yaml is missing or malformed: the service must not start."""


@dataclass(frozen=True)
class Vocabulary:
    lists: dict[str, frozenset[str]]
    reason_order: tuple[str, ...]
    agency_default: dict[str, str]

    def has(self, kind: str, value: str) -> bool:
        return value in self.lists[kind]

    def default_agency(self, role: str) -> str:
        return self.agency_default.get(role, "other")

    def is_law_enforcement(self, agency_type: str) -> bool:
        return agency_type in self.lists["law_enforcement_agencies"]


def load_vocabulary(policy_dir: Path) -> Vocabulary:
    path = Path(policy_dir) / "vocabulary.yaml"
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(f"cannot read {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise VocabularyError(f"{path} is not a mapping")
    lists: dict[str, frozenset[str]] = {}
    for key in REQUIRED_LISTS:
        values = raw.get(key)
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
            raise VocabularyError(f"{path}: '{key}' must be a non-empty list of strings")
        lists[key] = frozenset(values)
    defaults: dict[str, str] = {}
    for agency, roles in (raw.get("agency_default_by_role") or {}).items():
        if agency not in lists["agency_types"]:
            raise VocabularyError(f"{path}: unknown agency type {agency!r} in agency_default_by_role")
        for role in roles:
            if role not in lists["roles"]:
                raise VocabularyError(f"{path}: unknown role {role!r} in agency_default_by_role")
            defaults[role] = agency
    return Vocabulary(lists=lists, reason_order=tuple(raw["reasons"]), agency_default=defaults)
