"""Purposes and the R-LEI-5 relevance matrix (policies/purposes.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.policy.context import local_date
from app.policy.facts import DistrictFacts, IncidentFacts, StudentFacts
from app.policy.table import PolicyError
from app.policy.tags import FieldInfo


@dataclass(frozen=True)
class PurposeRow:
    fields: frozenset[str]
    role_fields: tuple[tuple[frozenset[str], frozenset[str]], ...]
    needs_incident: bool
    needs_case: bool
    needs_services_notice: bool
    from_report: str | None
    from_emergency: bool
    from_artifact: bool
    recipients: frozenset[str] | None


class PurposeTable:
    def __init__(self, spec: dict[str, Any]) -> None:
        try:
            self.sro_allowed = frozenset(spec["sro_allowed"])
            self.district_side = frozenset(spec["district_side"])
            self.prohibited = frozenset(spec["prohibited"])
            self.skip_so_test = frozenset(spec["skip_school_official_test"])
            self.le_action = frozenset(spec["law_enforcement_action"])
            inc = spec["le_response_incidents"]
            self.incident_allowed = frozenset(inc["allowed"])
            self.incident_judgment = frozenset(inc["principal_judgment"])
            self.incident_prohibited = frozenset(inc["prohibited"])
            self.misconduct_roles = frozenset(spec["misconduct_roles"])
            self.rows = {name: self._row(row or {}) for name, row in spec["relevance"].items()}
            self._all = self.sro_allowed | self.district_side | self.prohibited
        except (KeyError, TypeError, AttributeError) as exc:
            raise PolicyError(f"purposes.yaml is malformed: {exc}") from exc
        unknown = set(self.rows) - self.all_purposes()
        if unknown:
            raise PolicyError(f"purposes.yaml: relevance rows for unknown purposes {sorted(unknown)}")

    @staticmethod
    def _row(row: dict[str, Any]) -> PurposeRow:
        role_fields = tuple(
            (frozenset(r["roles"]), frozenset(r["fields"])) for r in row.get("when_student_role") or ()
        )
        rec = row.get("recipients")
        return PurposeRow(
            frozenset(row.get("fields") or ()), role_fields, bool(row.get("needs_incident")),
            bool(row.get("needs_case")), bool(row.get("needs_services_notice")), row.get("from_report"),
            bool(row.get("from_emergency")), bool(row.get("from_artifact")), frozenset(rec) if rec else None,
        )

    def all_purposes(self) -> frozenset[str]:
        return self._all  # read per decision: built once in __init__


    def row(self, purpose: str) -> PurposeRow | None:
        return self.rows.get(purpose)

    def relevant(
        self,
        purpose: str,
        info: FieldInfo,
        incident: IncidentFacts | None,
        student: StudentFacts,
        district: DistrictFacts | None,
    ) -> bool:
        """Whether the matrix row of `purpose` names this field (siblings are judged as their parent)."""
        return info.base in self.relevant_names(purpose, incident, student, district)

    def relevant_names(
        self,
        purpose: str,
        incident: IncidentFacts | None,
        student: StudentFacts,
        district: DistrictFacts | None,
    ) -> frozenset[str]:
        """Every base name the row of `purpose` names for this request, placeholders filled in from the incident
        (patterns with a placeholder name nothing without one). Computed once per request (decide._prepare)."""
        row = self.rows.get(purpose)
        if row is None:
            return frozenset()
        names = set(row.fields)
        if incident is not None:
            role = incident.students.get(student.id)
            for roles, extra in row.role_fields:
                if role in roles:
                    names |= extra
        out: set[str] = set()
        for pattern in names:
            if "{" not in pattern:
                out.add(pattern)
            elif incident is not None:
                out.add(pattern.replace("{incident}", incident.id).replace(
                    "{incident_date}", local_date(incident.occurred_at, district).isoformat()))
        return frozenset(out)
