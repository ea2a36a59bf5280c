"""Rule ids that explain a field decision without changing it (RULES.md rules that qualify another rule's outcome,
e.g. R-GATE-3 on every hard bar, R-GATE-7 on every section 37L field for law enforcement). Decisions name their rules
(R-GATE-8 sibling duty); the record of disclosures and the policy suites read them."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from app.policy.bases import TokenRoles
from app.policy.candidate import needs_redisclosure_notice
from app.policy.conditions.parties import field_is_leu_record
from app.policy.context import Resolved
from app.policy.fielddecide import merge_rules
from app.policy.tags import FieldInfo
from app.policy.types import FieldDecision, Outcome

HARD_BARS = frozenset({
    "W_37L", "W_37L_PROXY", "W_IMMIGRATION_MOU", "W_PRIVILEGED", "W_SUD97", "W_IEP_CONSENT", "W_OPT_OUT",
    "W_PURPOSE_PROHIBITED", "W_U12", "W_GANG_DB",
})


class RequestNotes(NamedTuple):
    """The request-level inputs of annotate(), read once per request (request_notes) instead of once per field."""

    is_le: bool
    by_incident: bool  # R-REC-6
    diversion: bool  # R-CON-11
    sro_not_official: bool  # R-EMG-8
    gag_order: bool  # R-LGL-3: the cited order carries a non-disclosure order
    directory_considered: bool
    roles: TokenRoles  # which tokens carry which annotation rule, from the catalogue (bases.yaml)


def request_notes(res: Resolved, directory_considered: bool, roles: TokenRoles) -> RequestNotes:
    request = res.ctx.request
    order = request.legal_order
    return RequestNotes(res.is_le, request.identified_by == "incident", request.purpose == "DIVERSION",
                        res.status == "sro_not_official", order is not None and order.non_disclosure_order,
                        directory_considered, roles)


def annotate(
    res: Resolved, info: FieldInfo, fd: FieldDecision, token: str, notes: RequestNotes
) -> FieldDecision:
    extra = _extra_rules(info, res.student.field_sources.get(info.base), fd.outcome, fd.reasons, fd.basis,
                         bool(fd.approver_roles), token, notes)
    if not extra:
        return fd
    return fd.with_rules(merge_rules(fd.rules, extra))


# A pure function of hashable values, called once per field of every decision: memoised (lru_cache is thread-safe),
# as fielddecide does for the table.
@lru_cache(maxsize=16384)
def _extra_rules(info: FieldInfo, source: str | None, outcome: Outcome, reasons: tuple[str, ...],
                 basis: tuple[str, ...], awaits_approver: bool, token: str, notes: RequestNotes) -> tuple[str, ...]:
    extra: list[str] = []
    withheld = outcome is Outcome.WITHHOLD
    roles = notes.roles
    if source == "sole_possession":
        extra.append("R-REC-2")
    if info.base.startswith("leu_report:") and not field_is_leu_record(info):
        extra.append("R-REC-3")  # no designated unit or no `leu` source: an education record
    if source == "from_police":
        extra.append("R-REC-8")
    if info.categories_37l and notes.is_le:
        extra += ["R-37L-1", "R-GATE-7"]
        if info.base.startswith("family:") or info.sibling == "redacted":
            extra.append("R-37L-2")
        if token in roles.directory_37l and withheld:
            extra.append("R-DIR-5")
    if reasons:  # only a withheld field has reasons
        if withheld and not HARD_BARS.isdisjoint(reasons):
            extra.append("R-GATE-3")
        if "W_SUD97" in reasons:
            extra.append("R-SUD-2")
        if "W_NOT_SCHOOL_OFFICIAL" in reasons:
            extra.append("R-SO-3")
    if token in roles.directory and not withheld:
        extra.append("R-DIR-6")
    if info.directory_type and not notes.directory_considered:
        extra.append("R-DIR-8")
    if notes.by_incident:
        extra.append("R-REC-6")
    if token in roles.report_use:
        extra.append("R-37L-6")
    if notes.diversion and token in roles.diversion:
        extra.append("R-CON-11")
    if notes.sro_not_official and token in roles.sro_emergency:
        extra.append("R-EMG-8")
    if notes.gag_order and token in roles.order:
        extra.append("R-LGL-3")
    if not withheld:
        extra.append("R-USE-1")
        if needs_redisclosure_notice(basis):
            extra.append("R-USE-2")
        if outcome is Outcome.PENDING and awaits_approver:
            extra += ["R-APR-3", "R-APR-4"]
    return tuple(extra)
