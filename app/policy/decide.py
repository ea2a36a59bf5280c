"""The decision pipeline of RULES.md section 1.6 for one request, over loaded, immutable policy components.

Pure and thread-safe: it reads only the context and the compiled table. `decide()` never raises; any exception
withholds every requested field (R-GATE-1, fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.policy import combine
from app.policy.annotate import annotate, request_notes
from app.policy.bases import TokenRoles
from app.policy.candidate import Missing
from app.policy.conditions.directory import directory_only_request
from app.policy.conditions.emergency import necessary_for
from app.policy.consent import student_consents
from app.policy.context import Resolved, is_law_enforcement, local_date, notice_in_force
from app.policy.emergency import emergency_state
from app.policy.facts import DecisionContext, Party
from app.policy.fielddecide import decide_field, withhold
from app.policy.purposes import PurposeTable
from app.policy.resolve import ARTIFACT_ORDER, Plan, resolve_field
from app.policy.status import is_redisclosure, recipient_status, school_official_failure
from app.policy.table import CompiledTable
from app.policy.tags import FieldCatalogue, FieldInfo
from app.policy.types import Decision, DecisionKind, FieldDecision
from app.policy.validation import age_on


@dataclass(frozen=True)
class Components:
    table: CompiledTable
    catalogue: FieldCatalogue
    purposes: PurposeTable
    version: str
    artifact_order: tuple[str, ...] = ARTIFACT_ORDER  # bases.yaml resolution_order (the engine passes it)
    roles: TokenRoles = field(kw_only=True)  # what the pipeline asks of a token, from bases.yaml (BasisCatalogue.roles)


def fail_closed(ctx: DecisionContext, version: str, why: str = "internal error") -> Decision:
    names = tuple(dict.fromkeys(ctx.request.fields)) or ("*",)
    fields = tuple(withhold(n, [Missing("W_NO_BASIS", "R-GATE-1")]) for n in names)
    return Decision(DecisionKind.DENY, fields, (), False, None, f"Decision DENY: {why}; nothing released (R-GATE-1).",
                    version, ("R-GATE-1",))


def decide(comp: Components, ctx: DecisionContext) -> Decision:
    try:
        return _decide(comp, ctx)
    except Exception:  # noqa: BLE001 - the contract is "never raise, never release on error"
        return fail_closed(ctx, comp.version)


def _status_for_bars(party: Party, destination: str | None) -> str:
    if party.agency_type == "fusion_center" or destination == "GANG_DATABASE":
        return "gang_db"
    return "le_other" if is_law_enforcement(party) else "non_le"


def _population(comp: Components, ctx: DecisionContext) -> Decision:
    """R-GATE-4: a population instead of a student. Law enforcement: W_BULK (plus any bar); others W_NO_BASIS."""
    request = ctx.request
    party = request.recipient or request.requester or request.caller
    status = _status_for_bars(party, request.destination)
    purpose = request.purpose if request.purpose in comp.purposes.all_purposes() else "OTHER"
    out = []
    for name in dict.fromkeys(request.fields):
        if status == "non_le":
            out.append(withhold(name, [Missing("W_NO_BASIS", "R-GATE-4"), Missing("W_NO_BASIS", "R-REC-5")]))
            continue
        info = comp.catalogue.classify(name)
        bars = [Missing(r.outcome.split(":", 1)[1], r.rule) for tag in sorted(info.tags)
                for r in comp.table.lookup(status, tag, purpose, "none").withholds]
        out.append(withhold(name, [Missing("W_BULK", "R-GATE-4"), *bars]))
    return combine.build(None, out, {}, comp.version, comp.roles.auto_release)


def _resolve(comp: Components, ctx: DecisionContext) -> Resolved | None:
    request, student, district = ctx.request, ctx.student, ctx.district
    if request.requester is None or student is None or district is None:
        return None
    today = local_date(ctx.now, district)
    notice = notice_in_force(district, today)
    requester = request.requester
    recipient = request.recipient or requester
    so_failure = None
    if recipient.role in ("sro", "pd_contact"):
        check = request.purpose not in comp.purposes.skip_so_test
        so_failure = school_official_failure(recipient, student, district, notice, request.purpose, today, check)
    status = recipient_status(request, requester, recipient, so_failure)
    purpose = request.purpose if request.purpose in comp.purposes.all_purposes() else "OTHER"
    incident = request.incident
    if purpose == "LE_RESPONSE" and incident and incident.classification in comp.purposes.incident_prohibited:
        purpose = incident.classification  # R-LEI-3: a code-of-conduct matter is a prohibited purpose
    redisclosure = is_redisclosure(request, requester, recipient)
    res = Resolved(ctx, today, notice, recipient, requester, status, so_failure, purpose, redisclosure, student)
    # The request-level facts the per-field resolvers read, computed once here rather than once per field; built
    # positionally (dataclasses.replace costs several times more).
    return Resolved(ctx, today, notice, recipient, requester, status, so_failure, purpose, redisclosure, student,
                    emergency_state(res),
                    comp.purposes.relevant_names(request.purpose, incident, student, district),
                    student_consents(res), combine.conflicted(res))


def _request_bars(comp: Components, res: Resolved) -> list[Missing]:
    request = res.ctx.request
    bars: list[Missing] = []
    if res.purpose == "OTHER":
        bars.append(Missing("W_NO_BASIS", "R-LEI-1"))
    incident = request.incident
    if request.purpose == "LE_RESPONSE" and incident is not None:
        role = incident.students.get(res.student.id)
        age = age_on(res.student.date_of_birth, local_date(incident.occurred_at, res.district))
        if role in comp.purposes.misconduct_roles and age < 12:
            bars.append(Missing("W_U12", "R-LEI-4"))
    reuse = request.reuse_of_purpose
    if reuse is not None:
        no_le = "NO_LE_ACTION" in request.reuse_of_restrictions or reuse == "SERVICES_REFERRAL"
        if reuse != request.purpose or (no_le and request.purpose in comp.purposes.le_action):
            bars.append(Missing("W_REPURPOSE", "R-USE-3"))
    return bars


def _expand(res: Resolved, bars: list[Missing], medical: frozenset[str]) -> tuple[list[str], list[Missing],
                                                                                 FieldDecision | None]:
    """Requested names in order, the request bars, and the decision on '*' (the whole record, R-GATE-4) when asked.

    '*' is never released as such. Under an emergency it is cut to the declared necessary fields, which are then
    decided one by one, and '*' stands for the rest (R-EMG-3). Otherwise it is refused: W_BULK for law enforcement,
    which also bars every field named beside it, and W_NO_BASIS for anyone else, who must name the fields."""
    names = list(dict.fromkeys(res.ctx.request.fields))
    if "*" not in names:
        return names, bars, None
    rest = [n for n in names if n != "*"]
    em = res.emergency.em  # None unless the request wants an emergency basis
    if em is not None:
        stored = sorted(n for n in res.student.field_names if not n.endswith((":masked", ":redacted")))
        allowed = necessary_for(em, res.recipient, res.is_le, medical)
        cut = [n for n in stored if n in allowed]
        return list(dict.fromkeys(rest + cut)), bars, withhold("*", [Missing("W_EMERGENCY_NOT_NECESSARY", "R-EMG-3")])
    if res.is_le:
        bars = [Missing("W_BULK", "R-GATE-4"), *bars]
        return rest, bars, withhold("*", bars)
    return rest, bars, withhold("*", [Missing("W_NO_BASIS", "R-GATE-4"), *bars])


def _decide(comp: Components, ctx: DecisionContext) -> Decision:
    request = ctx.request
    if request.population is not None:
        return _population(comp, ctx)
    res = _resolve(comp, ctx)
    if res is None:
        return fail_closed(ctx, comp.version, "unknown requester, student or district")
    names, bars, whole_record = _expand(res, _request_bars(comp, res), comp.catalogue.medical)
    sources = dict(res.student.field_sources)
    leu = bool(ctx.district and ctx.district.law_enforcement_units)
    infos: list[FieldInfo] = [comp.catalogue.classify(n, sources, leu) for n in names]
    directory_considered = directory_only_request(infos, res.notice)
    fields: list[FieldDecision] = []
    tokens: dict[str, str] = {}
    roles = comp.roles
    plan = Plan(res, comp.artifact_order, roles.consent_scope)
    notes = request_notes(res, directory_considered, roles)
    for info in infos:
        cand, missing = resolve_field(res, info, comp.purposes, directory_considered, plan)
        decision, token = decide_field(res, info, cand, missing, bars, comp.table, roles.forwardable)
        tokens[info.name] = token
        adjusted = combine.adjust(res, decision, token, roles.emergency)
        fields.append(annotate(res, info, adjusted, token, notes))
    if whole_record is not None:
        fields.insert(0, whole_record)
    return combine.build(res, combine.atomic(fields), tokens, comp.version, roles.auto_release)
