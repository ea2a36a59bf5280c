"""Per-field basis resolution: artifacts first (a field a cited artifact covers is judged on it, R-SO-3, R-LEI-5),
then LEU records, the directory path and the purpose path. Every basis that was tried and failed is kept as a reason.
R-REC-9 masking and the span-tag `:redacted` substitute are applied to whatever basis is found."""

from __future__ import annotations

from collections.abc import Callable

from app.policy.candidate import Candidate, Missing, Resolution
from app.policy.conditions.parties import field_is_leu_record, requester_school_staff
from app.policy.consent import resolve_consent
from app.policy.context import Resolved
from app.policy.directory import resolve_directory
from app.policy.emergency import resolve_emergency
from app.policy.orders import resolve_order
from app.policy.path import resolve_path
from app.policy.purposes import PurposeTable
from app.policy.reports import resolve_report
from app.policy.tags import FieldInfo

_LEU = Candidate("leu", ("NOT_EDUCATION_RECORD_LEU",), ("R-REC-3",))


Resolver = Callable[[Resolved, FieldInfo], Resolution]


# The artifact steps of bases.yaml's resolution_order, in the shipped order; the engine passes the loaded one.
ARTIFACT_ORDER = ("order", "emergency", "consent", "report")
# resolve_field's fall-backs after every artifact, always in this order (a tag, a request-wide test, the purpose
# path: not interchangeable), so bases.yaml must list them last.
FALLBACK_STEPS = ("leu", "directory", "path")


class Plan:
    """The artifact resolvers that can say anything for this request, in order, decided once per request.

    The order is bases.yaml's resolution_order. A resolver is left out only where it would answer (None, []) for
    every field: no order cited, no emergency wanted, no consent given, no report cited and (for a field other than a
    clinician memo) no memo path. `consent_scope`: the tokens bound by a consent's scope (the bases of bases.yaml
    naming R-CON-4), under which a record that must be masked and cannot be is a consent-scope failure (R-REC-9)."""

    __slots__ = ("consent_scope", "memo", "plain")

    def __init__(self, res: Resolved, order: tuple[str, ...], consent_scope: frozenset[str]) -> None:
        self.consent_scope = consent_scope
        request = res.ctx.request
        cited = request.report is not None or request.report_id_given
        memo_path = requester_school_staff(res.status)  # who may receive a clinician-flagged memo
        order_cited = request.legal_order is not None or request.legal_order_id_given
        consent = bool(res.consents) or request.consent_id_given
        wanted = res.emergency.wanted
        # step -> (its resolver, used for an ordinary field, used for a clinician memo). The resolvers are read from
        # this module's globals when the plan is made, so a test may replace one.
        steps: dict[str, tuple[Resolver, bool, bool]] = {
            "order": (resolve_order, order_cited, order_cited),
            "emergency": (resolve_emergency, wanted, wanted),
            "consent": (resolve_consent, consent, consent),
            "report": (resolve_report, cited, cited or memo_path),
        }
        plain: list[Resolver] = []
        memo: list[Resolver] = []
        for step in order:
            resolver, for_plain, for_memo = steps[step]
            if for_plain:
                plain.append(resolver)
            if for_memo:
                memo.append(resolver)
        self.plain: tuple[Resolver, ...] = tuple(plain)
        self.memo: tuple[Resolver, ...] = tuple(memo)


def resolve_field(res: Resolved, info: FieldInfo, purposes: PurposeTable, directory_considered: bool,
                  plan: Plan) -> Resolution:
    missing: list[Missing] = []
    if info.name not in res.student.field_names:
        return None, [Missing("W_NO_BASIS", "R-GATE-1")]  # API.md section 7: a field the record does not hold
    for resolver in plan.memo if info.memo else plan.plain:
        cand, more = resolver(res, info)
        missing.extend(more)
        if cand is not None:
            return _substitute(res, info, cand, missing, plan)
    if field_is_leu_record(info):
        return _substitute(res, info, _LEU, missing, plan)
    if directory_considered:  # otherwise resolve_directory answers (None, [])
        cand, more = resolve_directory(res, info, directory_considered)
        missing.extend(more)
        if cand is not None:
            return cand, missing
    cand, more = resolve_path(res, info, purposes)
    missing.extend(more)
    if cand is not None:
        return _substitute(res, info, cand, missing, plan)
    return None, missing or [Missing("W_NO_BASIS", "R-GATE-1")]


def _names_other_students(res: Resolved, info: FieldInfo) -> bool:
    if info.sibling or not info.names_students:
        return False
    incident = res.ctx.request.incident
    if incident is not None and info.param("id") == incident.id:
        return len(incident.students) > 1
    return f"{info.base}:masked" in res.student.field_names


def _substitute(res: Resolved, info: FieldInfo, cand: Candidate, missing: list[Missing], plan: Plan) -> Resolution:
    names = res.student.field_names
    if _names_other_students(res, info) and not cand.covers_all_students:
        masked = f"{info.base}:masked"
        if masked not in names:
            code = "W_CONSENT_SCOPE" if cand.token in plan.consent_scope else "W_NO_BASIS"
            return None, [*missing, Missing(code, "R-REC-9")]
        return cand._replace(released_as=masked, rules=cand.rules + ("R-REC-9",)), missing
    redacted = f"{info.base}:redacted"
    if res.is_le and not info.sibling and redacted in names:
        # R-37L-2: a tagged span inside an ordinary field goes to law enforcement only as the redacted sibling.
        return cand._replace(released_as=redacted, rules=cand.rules + ("R-37L-2",)), missing
    return cand, missing
