"""Conditions of a consent (R-CON-1 ... R-CON-6, R-CON-10, R-PRV-1, R-SUD-1).

The stored `valid` flag covers what was knowable when the consent was recorded (validation.assess_consent); at
decision time the legal clock adds expiry (R-CON-5, A-15), revocation (A-14) and the 18th birthday of a student whose
parent signed (A-13), and the request adds scope: purpose, recipient and the exact field or section 37L category.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from app.policy.conditions.registry import condition
from app.policy.context import LE_STATUSES, local_date
from app.policy.facts import ConsentFacts, DistrictFacts, Party, StudentFacts
from app.policy.tags import FieldInfo
from app.policy.validation import age_on

PARENT_SIGNERS = frozenset({"parent", "guardian"})
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


def consent_in_force_failure(consent: ConsentFacts, student: StudentFacts, district: DistrictFacts | None,
                             now: datetime) -> str | None:
    """The rule that makes this consent unusable at `now`, or None when it is in force."""
    if not consent.valid:
        first = consent.invalid_reasons[0] if consent.invalid_reasons else ""
        return _INVALID_RULE.get(first, "R-CON-1")
    if consent.revoked_at is not None and consent.revoked_at <= now:
        return "R-CON-5"
    today = local_date(now, district)
    lapse = lapse_date(consent, district)
    if lapse is not None and lapse < today:
        return "R-CON-5"
    if consent.signed_on > today:
        return "R-CON-1"
    if consent.signer_relationship in PARENT_SIGNERS and age_on(student.date_of_birth, today) >= 18:
        return "R-CON-3"  # a parent's consent does not reach past the 18th birthday
    return None


@condition
def consent_in_force(consent: ConsentFacts, student: StudentFacts, district: DistrictFacts | None,
                     now: datetime) -> bool:
    return consent_in_force_failure(consent, student, district, now) is None


def names_recipient(consent: ConsentFacts, recipient: Party, by_id_only: bool) -> bool:
    if recipient.id in consent.recipients:
        return True
    if by_id_only:
        return False  # R-CON-6: an agency never names the SRO for IEP/504 purposes
    affiliation = (recipient.affiliation or "").strip().lower()
    return bool(affiliation) and any(
        r.lower().startswith("agency:") and r[7:].strip().lower() == affiliation for r in consent.recipients
    )


def names_field(consent: ConsentFacts, info: FieldInfo, exact_only: bool) -> bool:
    if info.base in consent.fields or info.name in consent.fields:
        return True
    return not exact_only and bool(info.categories_37l & consent.categories_37l)


def consent_scope_failure(consent: ConsentFacts, info: FieldInfo, purpose: str, recipient: Party,
                          status: str) -> str | None:
    """None when the consent covers the field for this purpose and recipient, else the rule of the scope failure.
    IEP/504 content for law enforcement needs the recipient by id and the field by name (R-CON-6); a privileged
    record or a memo needs the field by name (R-PRV-1)."""
    strict = bool(info.tags & _DISABILITY) and status in LE_STATUSES
    if consent.purpose != purpose:
        return "R-CON-4"
    if not names_recipient(consent, recipient, by_id_only=strict):
        return "R-CON-6" if strict else "R-CON-4"
    exact = strict or "PRIVILEGED" in info.tags or info.memo
    if not names_field(consent, info, exact_only=exact):
        return "R-CON-6" if strict else "R-CON-4"
    return None


@condition
def consent_covers_field(consent: ConsentFacts, info: FieldInfo, purpose: str, recipient: Party,
                         status: str) -> bool:
    return consent_scope_failure(consent, info, purpose, recipient, status) is None


@condition
def pupil_consent_covers_field(usable: Iterable[ConsentFacts], student: StudentFacts, today: date) -> bool:
    """R-SUD-1 (A-20): among the consents in force that cover the field, the pupil's own, and a parent's while the
    pupil is under 18."""
    signers = {c.signer_relationship for c in usable}
    adult = age_on(student.date_of_birth, today) >= 18
    return "student" in signers and (adult or not signers.isdisjoint(PARENT_SIGNERS))
