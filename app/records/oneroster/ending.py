"""Ending the students a roster no longer holds: enrolled = false, left_on = the legal clock's date in the district.

Under a bulk users.csv every enrolled student of the district that the file does not list is ended; in either
mode a tobedeleted student row ends its student. Only the district given is read or written: another district's
students are never ended. The student row, its fields, its requests and its audit history stay; what changes is
that the student is no longer enrolled and (guardians.py) no guardian is linked to them any more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app import clock
from app.records.oneroster import repository as repo
from app.records.oneroster.bundle import Bundle
from app.records.oneroster.csvfiles import BundleError


@dataclass
class EndedStudents:
    ended: list[str] = field(default_factory=list)  # rows written: were enrolled, are not any more
    unlinked: set[str] = field(default_factory=set)  # students whose guardian links go (ended now or tobedeleted)


def end_students(session: Session, bundle: Bundle, district_id: str) -> EndedStudents:
    states = repo.student_states(session, district_id)
    enrolled = {s for s, on_roll in states.items() if on_roll}
    if bundle.is_bulk and not bundle.students and enrolled:
        # An empty or truncated export must not end a whole district: that is a mistake, not a roster.
        raise BundleError("users.csv", f"a bulk users.csv with no students would end all {len(enrolled)} enrolled "
                                       "students of the district; refused (send the whole roster, or a delta)")
    gone = {s for s in bundle.ended_students if s in states}
    if bundle.is_bulk:
        gone |= enrolled - set(bundle.students)
    out = EndedStudents(sorted(gone & enrolled), gone)
    if out.ended:
        zone = repo.district_timezone(session, district_id) or "UTC"
        now = clock.now()
        repo.end_students(session, district_id, out.ended, now.astimezone(ZoneInfo(zone)).date(), now)
    return out
