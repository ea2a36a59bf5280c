"""Conditions of the directory path (R-DIR-1 ... R-DIR-4, R-DIR-8)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from app.policy.conditions.registry import condition
from app.policy.facts import AnnualNotice, Party, RequestFacts, StudentFacts
from app.policy.tags import FieldInfo

# R-DIR-3: a request keyed by one of these is not a directory request, whatever it asks for.
NON_DIRECTORY_KEYS = frozenset({"ssn", "student_id", "incident"})


def _designated(info: FieldInfo, notice: AnnualNotice | None) -> bool:
    return notice is not None and info.directory_type and info.base in notice.directory_fields and not info.sibling


@condition
def directory_only_request(infos: Iterable[FieldInfo], notice: AnnualNotice | None) -> bool:
    """Every requested field is designated directory information in the notice in force (none requested: False)."""
    items = list(infos)
    return bool(items) and all(_designated(i, notice) for i in items)


def opt_out_window_closed(notice: AnnualNotice | None, today: date) -> bool:
    """A notice is in force and its opt-out window has closed (until then nothing goes as directory information)."""
    return notice is not None and today > notice.directory_opt_out_closes_on


def opted_out(info: FieldInfo, student: StudentFacts) -> bool:
    return "*" in student.directory_opt_out or info.base in student.directory_opt_out


@condition
def directory_field_not_opted_out(info: FieldInfo, student: StudentFacts, notice: AnnualNotice | None,
                                  today: date) -> bool:
    """Designated in the notice in force, its opt-out window closed, and the student did not opt out. The directory
    resolver reports the last two apart (an opt-out is a bar of its own, R-DIR-2), so each is a function here."""
    return _designated(info, notice) and opt_out_window_closed(notice, today) and not opted_out(info, student)


@condition
def directory_request_unlinked(request: RequestFacts) -> bool:
    """Keyed by name, citing no incident, emergency, order or report (an id cited but unknown counts as cited)."""
    linked = (
        request.incident is not None or request.incident_id_given or request.emergency is not None
        or request.emergency_id_given or request.legal_order is not None or request.legal_order_id_given
        or request.report is not None or request.report_id_given
    )
    return request.identified_by not in NON_DIRECTORY_KEYS and not linked


@condition
def directory_recipient_allowed(notice: AnnualNotice, recipient: Party) -> bool:
    return notice.directory_recipients is None or recipient.agency_type in notice.directory_recipients
