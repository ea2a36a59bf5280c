"""Request-level facts resolved once per decision: local date, notice in force, recipient and its status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from app.policy.facts import AnnualNotice, DecisionContext, DistrictFacts, Party, StudentFacts

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
class Resolved:
    """What every field of one request shares."""

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

    @property
    def is_le(self) -> bool:
        return self.status in LE_STATUSES

    @property
    def district(self) -> DistrictFacts | None:
        return self.ctx.district
