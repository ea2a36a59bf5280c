"""The directory path (R-DIR-1 ... R-DIR-8). Considered only when every requested field is a designated directory
field (R-DIR-8); then each field gets FERPA_DIRECTORY unless a condition fails. An opt-out removes only this basis
(R-DIR-2): the field may still have another one. Relevance never applies here (R-LEI-5)."""

from __future__ import annotations

from collections.abc import Iterable

from app.policy.candidate import Candidate, Missing, Resolution
from app.policy.context import Resolved
from app.policy.facts import AnnualNotice
from app.policy.tags import FieldInfo

_NON_DIRECTORY_KEYS = frozenset({"ssn", "student_id", "incident"})


def designated(info: FieldInfo, notice: AnnualNotice | None) -> bool:
    return notice is not None and info.directory_type and info.base in notice.directory_fields and not info.sibling


def directory_only(infos: Iterable[FieldInfo], notice: AnnualNotice | None) -> bool:
    items = list(infos)
    return bool(items) and all(designated(i, notice) for i in items)


def resolve_directory(res: Resolved, info: FieldInfo, considered: bool) -> Resolution:
    if not considered:
        return None, []
    notice = res.notice
    request = res.ctx.request
    opt_out = res.student.directory_opt_out
    # The opt-out is a bar of its own (R-DIR-2, R-GATE-3): listed with whatever else fails the directory path.
    bars = [Missing("W_OPT_OUT", "R-DIR-2")] if "*" in opt_out or info.base in opt_out else []
    if notice is None or res.today <= notice.directory_opt_out_closes_on:
        return None, [*bars, Missing("W_NO_BASIS", "R-DIR-1")]
    linked = (
        request.incident is not None or request.incident_id_given or request.emergency is not None
        or request.emergency_id_given or request.legal_order is not None or request.legal_order_id_given
        or request.report is not None or request.report_id_given
    )
    if request.identified_by in _NON_DIRECTORY_KEYS or linked:
        return None, [*bars, Missing("W_NO_BASIS", "R-DIR-3")]
    if notice.directory_recipients is not None and res.recipient.agency_type not in notice.directory_recipients:
        return None, [*bars, Missing("W_NO_BASIS", "R-DIR-4")]
    if bars:
        return None, bars
    # A non-official SRO gets this token too: the table's R-DIR-7 row withholds it (W_NOT_SCHOOL_OFFICIAL).
    return Candidate("directory", ("FERPA_DIRECTORY",), ("R-DIR-1",)), []
