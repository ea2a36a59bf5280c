"""Conditions of the purpose path (R-LEI-1, R-LEI-3, R-LEI-5, R-LEI-6, R-NTF-1, R-RPT-1): what the purpose needs
before the school-official basis, district staff or a state education authority covers a field (path.py)."""

from __future__ import annotations

from app.policy.conditions.registry import condition
from app.policy.facts import IncidentFacts, Party, RequestFacts
from app.policy.purposes import PurposeRow, PurposeTable
from app.policy.tags import FieldInfo


@condition
def purpose_on_school_official_path(purpose: str, purposes: PurposeTable) -> bool:
    """The purpose is decided on this path, not only by an artifact (order, consent) or an emergency."""
    row = purposes.row(purpose)
    return (row is not None and purpose not in purposes.skip_so_test
            and not row.from_artifact and not row.from_emergency)


@condition
def field_relevant_to_purpose(info: FieldInfo, relevant: frozenset[str]) -> bool:
    """`relevant`: the base names the district's matrix gives the request's purpose (PurposeTable.relevant_names)."""
    return info.base in relevant


@condition
def case_named_where_required(row: PurposeRow, case_id: str | None) -> bool:
    return not row.needs_case or bool((case_id or "").strip())


@condition
def incident_names_student_where_required(row: PurposeRow, incident: IncidentFacts | None, student_id: str,
                                          purposes: PurposeTable) -> bool:
    """A low-level incident (left to the principal's judgment) is of an allowed class too; incident_low_level
    tells it apart."""
    if not row.needs_incident:
        return True
    if incident is None or student_id not in incident.students:
        return False
    return incident.classification in purposes.incident_judgment or incident.classification in purposes.incident_allowed


@condition
def incident_low_level(incident: IncidentFacts | None, purposes: PurposeTable) -> bool:
    return incident is not None and incident.classification in purposes.incident_judgment


@condition
def services_notice_on_file_where_required(row: PurposeRow, request: RequestFacts) -> bool:
    """False makes the field wait for the notice (R-NTF-1), never withholds it."""
    return not row.needs_services_notice or request.services_notice_on_file


@condition
def recipient_state_education_authority(row: PurposeRow, recipient: Party) -> bool:
    """The purpose lists its recipients (STATE_REPORTING: DESE) and the recipient is one of them."""
    return row.recipients is not None and (recipient.agency_type in row.recipients or recipient.role in row.recipients)
