"""Who may act here: the role checks shared by the artifact, request and record routes, who may name another
requester, who receives values (API.md section 7), and the district wall every repository read goes through."""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.principal import Principal

SCHOOL_APPROVERS = frozenset({"principal", "designee"})
DISTRICT_WIDE = frozenset({"superintendent", "admin", "counsel", "auditor"})
# District staff (API.md section 7): the only callers who may enter a request for another requester, and who see
# the values of a request they pushed or entered for someone else.
DISTRICT_STAFF = frozenset({"principal", "designee", "superintendent", "admin", "staff"})
SCHOOL_ROLES = frozenset({"principal", "designee", "superintendent", "clinician", "staff", "counsel",
                          "leu_supervisor", "auditor", "admin"})


def serves_school(principal: Principal, school_id: str | None) -> bool:
    """District-wide roles serve every school; the others only the schools in their school_ids."""
    if principal.role in DISTRICT_WIDE:
        return True
    return school_id is not None and school_id in principal.school_ids


# Police approvers act district-wide: the chief is the SRO's appointing authority (R-SO-6), the LEU supervisor
# approves LEU-record releases (R-REC-3). They see and sign only requests that name their role as approver.
DISTRICT_APPROVERS = frozenset({"chief", "leu_supervisor"})


def may_approve_for(principal: Principal, school_id: str | None) -> bool:
    return principal.role in DISTRICT_APPROVERS or serves_school(principal, school_id)


def may_name_requester(principal: Principal, requester_id: str | None) -> bool:
    """Only district staff enter a request for another party (a phone or text request, R-GATE-6): anyone else
    naming another requester would be decided as a party they are not."""
    return requester_id in (None, principal.id) or principal.role in DISTRICT_STAFF


def receives_values(principal: Principal, *, caller_id: str, recipient_id: str) -> bool:
    """API.md section 7 "Values": the recipient, or the district staff member who pushed or entered the request.
    Anyone else (a requester forwarding to another party above all) sees the decision without values."""
    if principal.id == recipient_id:
        return True
    return principal.role in DISTRICT_STAFF and principal.id == caller_id


# ---------------------------------------------------------------- the district wall (ARCHITECTURE.md house rule 12)
@dataclass(frozen=True, slots=True)
class DistrictScope:
    """Which districts a caller may see: its own when it has a district, every district when it has none (the
    platform admin the CLI creates, a state auditor). Repositories of district-owned data take one as a required
    argument, so a query without a wall does not type-check. Outside the scope an object answers like a missing one.
    """

    district_id: str | None

    @property
    def everywhere(self) -> bool:
        return self.district_id is None

    def admits(self, district_id: str | None) -> bool:
        """An object of `district_id` is inside the wall (an object of no district only for a caller of none)."""
        return self.district_id is None or self.district_id == district_id


def scope_of(principal: Principal) -> DistrictScope:
    return DistrictScope(principal.district_id)


# The scope of a caller without a district, and of the service itself (verify, the CLI).
EVERYWHERE = DistrictScope(None)
