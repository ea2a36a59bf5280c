"""Consent as a basis at decision time (R-CON-1 ... R-CON-11, R-37L-X2, R-SUD-1).

Whether a consent is in force and what it covers are named conditions of bases.yaml (app/policy/conditions/
consent.py); here they are asked for each of the student's cited consents, and a failure is reported under the rule
it breaks.
"""

from __future__ import annotations

from app.policy.candidate import Candidate, Missing, Resolution
from app.policy.conditions.consent import (
    consent_covers_field,
    consent_in_force_failure,
    consent_scope_failure,
    names_field,
    pupil_consent_covers_field,
)
from app.policy.conditions.parties import field_37l_for_law_enforcement
from app.policy.context import Resolved
from app.policy.facts import ConsentFacts
from app.policy.tags import FieldInfo


def resolve_consent(res: Resolved, info: FieldInfo) -> Resolution:
    consents = res.consents  # the student's consents with the failure of each, resolved once per request
    if not consents:
        return None, ([Missing("W_NO_BASIS", "R-CON-1")] if res.ctx.request.consent_id_given else [])
    if "SUD97" in info.tags:
        return _resolve_sud(res, info, consents)
    purpose = res.ctx.request.purpose
    missing: list[Missing] = []
    for consent, bad_rule in consents:
        scope_rule = consent_scope_failure(consent, info, purpose, res.recipient, res.status)
        if scope_rule is None and bad_rule is None:
            lift = field_37l_for_law_enforcement(info, res.status)
            basis = ("FERPA_CONSENT", "37L_X2_CONSENT") if lift else ("FERPA_CONSENT",)
            rules = ("R-CON-4", "R-37L-X2") if lift else ("R-CON-4",)
            # R-REC-9: one family's consent never unmasks another student.
            return Candidate("consent_lift" if lift else "consent", basis, rules, covers_all_students=False), []
        if bad_rule is not None and names_field(consent, info, exact_only=False):
            missing.append(Missing("W_CONSENT_INVALID", bad_rule))
        else:
            missing.append(Missing("W_CONSENT_SCOPE", scope_rule or "R-CON-4"))
    return None, missing


def student_consents(res: Resolved) -> tuple[tuple[ConsentFacts, str | None], ...]:
    """The request's consents for this student, each with the rule that makes it unusable now (None: in force)."""
    sid = res.student.id
    return tuple((c, consent_in_force_failure(c, res.student, res.district, res.ctx.now))
                 for c in res.ctx.request.consents if c.student_id == sid)


def _resolve_sud(res: Resolved, info: FieldInfo, consents: tuple[tuple[ConsentFacts, str | None], ...]) -> Resolution:
    """R-SUD-1: the pupil's own written consent, plus a parent's under 18 (A-20), both naming the field."""
    purpose = res.ctx.request.purpose
    usable = [c for c, bad in consents
              if bad is None and consent_covers_field(c, info, purpose, res.recipient, res.status)]
    if pupil_consent_covers_field(usable, res.student, res.today):
        return Candidate("sud_consent", ("FERPA_CONSENT",), ("R-SUD-1",), covers_all_students=False), []
    return None, [Missing("W_SUD97", "R-SUD-1")]
