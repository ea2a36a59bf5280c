"""Request-level facts resolved once per decision: local date, notice in force, recipient and its status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from app.policy.facts import (
    AnnualNotice,
    ConsentFacts,
    DecisionContext,
    DistrictFacts,
    EmergencyFacts,
    Party,
    StudentFacts,
)

LE_AGENCIES = frozenset({"police", "state_police", "fusion_center", "district_attorney", "federal"})
LE_ROLES = frozenset({"sro", "pd_contact", "law_enforcement", "chief"})
LE_STATUSES = frozenset({"school_official", "sro_not_official", "le_other", "gang_db"})
LE_DESTINATIONS = frozenset({"DISTRICT_ATTORNEY", "POLICE_DEPARTMENT", "STATE_POLICE", "FEDERAL_AGENCY"})


def district_zone(district: DistrictFacts | None) -> ZoneInfo:
    try:
        return ZoneInfo(district.timezone if district else "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def local_date(instant: datetime, district: DistrictFacts | None) -> date:
    return instant.astimezone(district_zone(district)).date()


def local_midnight(day: date, district: DistrictFacts | None) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=district_zone(district))


def notice_in_force(district: DistrictFacts | None, today: date) -> AnnualNotice | None:
    """The notice whose school year contains today, once issued (API.md section 4; A-08: no carry-over)."""
    if district is None:
        return None
    for notice in district.notices:
        if notice.starts_on <= today <= notice.ends_on and notice.issued_on <= today:
            return notice
    return None


def is_law_enforcement(party: Party) -> bool:
    return party.agency_type in LE_AGENCIES or party.role in LE_ROLES


@dataclass(frozen=True)
class EmergencyState:
    """The emergency a request is judged on, resolved once per request instead of once per field (emergency.py)."""

    wanted: bool  # the request asks for the emergency basis (purpose EMERGENCY or a cited declaration)
    em: EmergencyFacts | None
    covers: bool  # the declaration names this student and recipient (R-EMG-2)
    active: bool  # started, not ended, before its review time (R-EMG-4)
    allowed: frozenset[str]  # necessary fields for this recipient (R-EMG-3)
    allowed_medical: frozenset[str]  # the same for a medical field (R-EMG-9)


NO_EMERGENCY = EmergencyState(False, None, False, False, frozenset(), frozenset())


@dataclass(frozen=True)
class Resolved:
    """What every field of one request shares. The fields after `student` are derived from the others once per
    request (decide._prepare) so that no per-field step recomputes a request-level fact."""

    ctx: DecisionContext
    today: date
    notice: AnnualNotice | None
    recipient: Party
    requester: Party
    status: str
    so_failure: str | None  # rule id of the first failed R-SO-1 condition, for sro/pd_contact recipients
    purpose: str  # the purpose attribute of the table (CODE_OF_CONDUCT for such an incident, OTHER if unknown)
    redisclosure: bool
    student: StudentFacts
    emergency: EmergencyState = NO_EMERGENCY
    relevant: frozenset[str] = frozenset()  # base names the relevance matrix gives the request's purpose (R-LEI-5)
    consents: tuple[tuple[ConsentFacts, str | None], ...] = ()  # the student's cited consents, each with the rule
    #                                                            that makes it unusable now (None: in force)
    conflicted: bool = False  # requester or recipient declared a relationship with the student (R-SO-6)

    @property
    def is_le(self) -> bool:
        return self.status in LE_STATUSES

    @property
    def district(self) -> DistrictFacts | None:
        return self.ctx.district
