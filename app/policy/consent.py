"""Consent as a basis at decision time (R-CON-1 ... R-CON-11, R-37L-X2, R-SUD-1).

The stored `valid` flag covers what was knowable when the consent was recorded (assess_consent); here the legal clock
adds expiry (R-CON-5, A-15), revocation (A-14) and the 18th birthday of a student whose parent signed (A-13), and the
request adds scope: purpose, recipient and the exact field or section 37L category (R-CON-4).
"""

from __future__ import annotations

from datetime import date

from app.policy.candidate import Candidate, Missing, Resolution
from app.policy.context import Resolved
from app.policy.facts import ConsentFacts, DistrictFacts
from app.policy.tags import FieldInfo
from app.policy.validation import age_on

_DISABILITY = frozenset({"DISABILITY", "DISABILITY_STATUS"})
_INVALID_RULE = {
    "NOT_WRITTEN": "R-CON-1", "NOT_INFORMED": "R-CON-1", "NOT_AUTHENTICATED": "R-CON-2",
    "NOT_HOME_LANGUAGE": "R-CON-10", "SIGNER_NOT_AUTHORIZED": "R-CON-3", "SIGNER_RIGHTS_LIMITED": "R-CON-3",
    "SIGNER_UNDER_18": "R-CON-3", "UNKNOWN_SIGNER": "R-CON-3",
}


def lapse_date(consent: ConsentFacts, district: DistrictFacts | None) -> date | None:
    """Stated expiry, else the end of the school year in which it was signed (A-15), unless configured `never`."""
    if consent.expires_on is not None:
        return consent.expires_on
    if district is not None and district.consent_default_lapse == "never":
        return None
    if district is not None:
        for notice in district.notices:
            if notice.starts_on <= consent.signed_on <= notice.ends_on:
                return notice.ends_on
    year = consent.signed_on.year + (1 if consent.signed_on.month >= 7 else 0)
    return date(year, 6, 30)


def invalid_rule(consent: ConsentFacts, res: Resolved) -> str | None:
    """The rule that makes this consent unusable now, or None when it is in force."""
    if not consent.valid:
        first = consent.invalid_reasons[0] if consent.invalid_reasons else ""
        return _INVALID_RULE.get(first, "R-CON-1")
    if consent.revoked_at is not None and consent.revoked_at <= res.ctx.now:
        return "R-CON-5"
    lapse = lapse_date(consent, res.district)
    if lapse is not None and lapse < res.today:
        return "R-CON-5"
    if consent.signed_on > res.today:
        return "R-CON-1"
    if consent.signer_relationship in ("parent", "guardian") and age_on(res.student.date_of_birth, res.today) >= 18:
        return "R-CON-3"  # a parent's consent does not reach past the 18th birthday
    return None


def names_recipient(consent: ConsentFacts, res: Resolved, by_id_only: bool) -> bool:
    if res.recipient.id in consent.recipients:
        return True
    if by_id_only:
        return False  # R-CON-6: an agency never names the SRO for IEP/504 purposes
    affiliation = (res.recipient.affiliation or "").strip().lower()
    return bool(affiliation) and any(
        r.lower().startswith("agency:") and r[7:].strip().lower() == affiliation for r in consent.recipients
    )


def names_field(consent: ConsentFacts, info: FieldInfo, exact_only: bool) -> bool:
    if info.base in consent.fields or info.name in consent.fields:
        return True
    return not exact_only and bool(info.categories_37l & consent.categories_37l)


def _covers(consent: ConsentFacts, info: FieldInfo, res: Resolved) -> str | None:
    """None when the consent covers the field for this request, else the rule of the scope failure."""
    strict = bool(info.tags & _DISABILITY) and res.is_le
    if consent.purpose != res.ctx.request.purpose:
        return "R-CON-4"
    if not names_recipient(consent, res, by_id_only=strict):
        return "R-CON-6" if strict else "R-CON-4"
    exact = strict or "PRIVILEGED" in info.tags or info.memo
    if not names_field(consent, info, exact_only=exact):
        return "R-CON-6" if strict else "R-CON-4"
    return None


def resolve_consent(res: Resolved, info: FieldInfo) -> Resolution:
    consents = res.consents  # the student's consents with invalid_rule() of each, resolved once per request
    if not consents:
        return None, ([Missing("W_NO_BASIS", "R-CON-1")] if res.ctx.request.consent_id_given else [])
    if "SUD97" in info.tags:
        return _resolve_sud(res, info, consents)
    missing: list[Missing] = []
    for consent, bad_rule in consents:
        scope_rule = _covers(consent, info, res)
        if scope_rule is None and bad_rule is None:
            lift = res.is_le and bool(info.categories_37l)
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
    return tuple((c, invalid_rule(c, res)) for c in res.ctx.request.consents if c.student_id == sid)


def _resolve_sud(res: Resolved, info: FieldInfo, consents: tuple[tuple[ConsentFacts, str | None], ...]) -> Resolution:
    """R-SUD-1: the pupil's own written consent, plus a parent's under 18 (A-20), both naming the field."""

    def usable(c: ConsentFacts, bad: str | None) -> bool:
        return bad is None and _covers(c, info, res) is None

    pupil = any(usable(c, bad) and c.signer_relationship == "student" for c, bad in consents)
    parent = any(usable(c, bad) and c.signer_relationship in ("parent", "guardian") for c, bad in consents)
    adult = age_on(res.student.date_of_birth, res.today) >= 18
    if pupil and (adult or parent):
        return Candidate("sud_consent", ("FERPA_CONSENT",), ("R-SUD-1",), covers_all_students=False), []
    return None, [Missing("W_SUD97", "R-SUD-1")]
