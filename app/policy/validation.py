"""Creation-time checks the workflow runs before storing an artifact (API.md section 6).

assess_consent() computes a consent's `valid`/`invalid_reasons` (R-CON-1, -2, -3, -10); check_emergency_declaration()
lists why a declaration must be refused with 422 (R-EMG-1, A-12) and emergency_review_at() caps its review time
(R-EMG-4); assess_order() stores a paper that is not judicial process as invalid (R-LGL-4);
revocation_effective_at() dates a consent's revocation. All are pure: no database, no clock of their own. The
service and the in-memory scenario world (scenario.py) both store artifacts through them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from app.policy.facts import DistrictFacts, Party, StudentFacts

SUD_FIELDS = frozenset({"sbirt_screening"})
# R-LGL-4: process that is not a judge's or a grand jury's; the one list of them (is_non_judicial below).
NON_JUDICIAL_KINDS = frozenset({"ADMIN_WARRANT", "DETAINER"})
_EMPTY_WORDS = frozenset({"", "unspecified", "unknown", "n/a", "na", "none", "-"})
_MIN_THREAT_WORDS = 10


class ConsentLike(Protocol):
    @property
    def signed_by(self) -> str: ...
    @property
    def signer_relationship(self) -> str: ...
    @property
    def signed_on(self) -> date: ...
    @property
    def written(self) -> bool: ...
    @property
    def authenticated(self) -> bool: ...
    @property
    def informed(self) -> bool: ...
    @property
    def language(self) -> str: ...
    @property
    def fields(self) -> frozenset[str]: ...
    @property
    def categories_37l(self) -> frozenset[str]: ...


def age_on(born: date, on: date) -> int:
    """Whole years of age on a date (a 29 February birthday counts on 1 March in common years)."""
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def assess_consent(
    consent: ConsentLike,
    student: StudentFacts,
    signer: Party | None,
    district: DistrictFacts | None,
    now: datetime,
) -> tuple[bool, tuple[str, ...]]:
    """Return (valid, invalid_reasons) for a consent as recorded (API.md section 6 `invalid_reasons`).

    Decision-time conditions (expiry, revocation, the student turning 18 after a parent signed, scope) are not judged
    here: the engine re-checks them at every request with the legal clock.
    """
    reasons: list[str] = []
    if not consent.written:
        reasons.append("NOT_WRITTEN")
    if not consent.authenticated:
        reasons.append("NOT_AUTHENTICATED")
    if not consent.informed:
        reasons.append("NOT_INFORMED")
    # R-CON-10: where 603 CMR 23.10(2) applies, a form not in the home language is not "informed".
    duty = district.home_language_duty if district else frozenset()
    home = (student.home_language or "").lower()
    if home and home in {d.lower() for d in duty} and consent.language.lower() != home:
        reasons.append("NOT_HOME_LANGUAGE")
    reasons.extend(_signer_problems(consent, student, signer))
    del now  # part of the contract so callers need not know which checks read the clock
    return (not reasons, tuple(dict.fromkeys(reasons)))


def _signer_problems(consent: ConsentLike, student: StudentFacts, signer: Party | None) -> list[str]:
    if signer is None or signer.id != consent.signed_by:
        return ["UNKNOWN_SIGNER"]
    age = age_on(student.date_of_birth, consent.signed_on)
    relation = consent.signer_relationship
    if relation in ("parent", "guardian"):
        link = next((p for p in student.parents if p.user_id == signer.id), None)
        if link is None:
            return ["SIGNER_NOT_AUTHORIZED"]
        if link.rights_limited:
            return ["SIGNER_RIGHTS_LIMITED"]
        # R-CON-3 / 99.5(a): at 18 the consent right has passed to the student.
        return ["SIGNER_NOT_AUTHORIZED"] if age >= 18 else []
    if relation == "student":
        own = signer.role == "student" and student.id in signer.student_ids  # API.md section 4: its own record
        if not own:
            return ["SIGNER_NOT_AUTHORIZED"]
        # R-SUD-1 needs the pupil's own consent at any age for section 97 screening; FERPA needs 18 otherwise.
        only_sud = set(consent.fields) <= SUD_FIELDS and not consent.categories_37l
        return ["SIGNER_UNDER_18"] if age < 18 and not only_sud else []
    return ["SIGNER_NOT_AUTHORIZED"]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def check_emergency_declaration(
    *,
    threat: str | None,
    significance: str | None,
    imminence: str | None,
    persons_at_risk: str | None,
    necessary_fields: Mapping[str, str] | None,
    starts_at: datetime | None,
    review_at: datetime | None,
    generic_phrases: Iterable[str] = (),
) -> list[str]:
    """List the problems that make a declaration not an emergency (R-EMG-1, A-12); empty means acceptable."""
    problems: list[str] = []
    if imminence not in ("actual", "impending", "imminent"):
        problems.append("imminence must be actual, impending or imminent")
    text = _normalise(threat or "")
    if len(text.split()) < _MIN_THREAT_WORDS:
        problems.append(f"threat must state specific facts (at least {_MIN_THREAT_WORDS} words)")
    for phrase in generic_phrases:
        if _normalise(phrase) and _normalise(phrase) in text:
            problems.append(f"threat matches a generic phrase: {phrase}")
            break
    if _normalise(significance or "") in _EMPTY_WORDS:
        problems.append("significance is required")
    if _normalise(persons_at_risk or "") in _EMPTY_WORDS:
        problems.append("persons_at_risk is required")
    if not necessary_fields:
        problems.append("necessary_fields must name at least one field")
    elif any(not _normalise(why) for why in necessary_fields.values()):
        problems.append("every necessary field needs a reason")
    if starts_at is not None and review_at is not None and starts_at > review_at:
        problems.append("starts_at is later than review_at")
    return problems


def emergency_review_at(starts_at: datetime, asked: datetime | None, review_hours: int) -> datetime:
    """R-EMG-4: the review time is the one asked for, but never later than review hours after `starts_at` (the
    declaration's start or, once renewed, the renewal). The decision re-applies it (conditions.emergency_active), so a
    shortened review setting also shortens declarations stored before the change."""
    cap = starts_at + timedelta(hours=review_hours)
    return min(asked or cap, cap)


def is_non_judicial(kind: str) -> bool:
    """R-LGL-4: an administrative warrant or a detainer is not judicial process, whatever it says."""
    return kind in NON_JUDICIAL_KINDS


def assess_order(kind: str) -> tuple[bool, tuple[str, ...]]:
    """The stored `valid`/`invalid_reasons` of a legal paper of this kind: judicial process is valid as recorded."""
    return (False, ("NOT_JUDICIAL_PROCESS",)) if is_non_judicial(kind) else (True, ())


def revocation_effective_at(stated: date | datetime | None, now: datetime, zone: ZoneInfo) -> datetime:
    """API.md section 6: the later of the stated revocation (00:00 district time for a date) and the moment it is
    recorded. A revocation never reaches back; a future date is the signer's own end date for the consent."""
    if stated is None:
        return now
    if isinstance(stated, datetime):
        return max(now, stated)
    return max(now, datetime.combine(stated, time(0, 0), tzinfo=zone))
