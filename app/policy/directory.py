"""The directory path (R-DIR-1 ... R-DIR-8). Considered only when every requested field is a designated directory
field (R-DIR-8, conditions.directory.directory_only_request); then each field gets FERPA_DIRECTORY unless a condition
fails. An opt-out removes only this basis (R-DIR-2): the field may still have another one. Relevance never applies
here (R-LEI-5). Each test is a named condition of bases.yaml (app/policy/conditions/directory.py)."""

from __future__ import annotations

from app.policy.candidate import Candidate, Missing, Resolution
from app.policy.conditions.directory import (
    directory_recipient_allowed,
    directory_request_unlinked,
    opt_out_window_closed,
    opted_out,
)
from app.policy.context import Resolved
from app.policy.tags import FieldInfo


def resolve_directory(res: Resolved, info: FieldInfo, considered: bool) -> Resolution:
    if not considered:
        return None, []
    notice = res.notice
    # The opt-out is a bar of its own (R-DIR-2, R-GATE-3): listed with whatever else fails the directory path.
    # Together with the designation (R-DIR-8) these are the condition directory_field_not_opted_out.
    bars = [Missing("W_OPT_OUT", "R-DIR-2")] if opted_out(info, res.student) else []
    if notice is None or not opt_out_window_closed(notice, res.today):
        return None, [*bars, Missing("W_NO_BASIS", "R-DIR-1")]
    if not directory_request_unlinked(res.ctx.request):
        return None, [*bars, Missing("W_NO_BASIS", "R-DIR-3")]
    if not directory_recipient_allowed(notice, res.recipient):
        return None, [*bars, Missing("W_NO_BASIS", "R-DIR-4")]
    if bars:
        return None, bars
    # A non-official SRO gets this token too: the table's R-DIR-7 row withholds it (W_NOT_SCHOOL_OFFICIAL).
    return Candidate("directory", ("FERPA_DIRECTORY",), ("R-DIR-1",)), []
