"""The facts a decision was made on, kept for replay with every student value taken out (issue 13, R-AUD).

A snapshot is the engine's whole input (DecisionContext) as JSON, so that deciding it again under the same policy
gives the same answer. What the engine never reads and could identify a person is dropped: people's names and
titles, an emergency's threat description, the text of a report's justifications (only whether one was given is
kept) and the student's home language. The date of birth is a student value the engine does read, only as whole
years of age on the decision day and on the cited incident's day; it is replaced by a stand-in date that gives
the same ages on those two days, so the birth date itself is never kept.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from pydantic import TypeAdapter

from app.policy.context import local_date
from app.policy.facts import DecisionContext, EmergencyFacts, Party, ReportFacts, RequestFacts, StudentFacts
from app.policy.validation import age_on

SNAPSHOT_FORMAT = 1
JUSTIFICATION_GIVEN = "(given; the text is not kept)"

_ADAPTER: TypeAdapter[DecisionContext] = TypeAdapter(DecisionContext)


def take(ctx: DecisionContext) -> dict[str, Any]:
    """The decision's facts as JSON, student values taken out."""
    kept = DecisionContext(now=ctx.now, district=ctx.district, student=_student(ctx), request=_request(ctx.request))
    return {"format": SNAPSHOT_FORMAT, "context": _ADAPTER.dump_python(kept, mode="json")}


def restore(snapshot: dict[str, Any]) -> DecisionContext:
    if snapshot.get("format") != SNAPSHOT_FORMAT:
        raise ValueError(f"unknown decision snapshot format {snapshot.get('format')!r}")
    return _ADAPTER.validate_python(snapshot["context"])


def age_days(ctx: DecisionContext) -> tuple[date, ...]:
    """The days on which the engine reads the student's age: the decision day and the cited incident's day."""
    days = [local_date(ctx.now, ctx.district)]
    if ctx.request.incident is not None:
        days.append(local_date(ctx.request.incident.occurred_at, ctx.district))
    return tuple(days)


def stand_in_birth_date(born: date, days: tuple[date, ...]) -> date:
    """A date with the same whole years of age as `born` on every one of `days`.

    The dates of birth with age a on day d form one interval; its ends lie within two days of d shifted back by a
    and by a + 1 years, so the intersection over all days (which holds `born`) has an end among those candidates."""
    ages = [age_on(born, day) for day in days]
    candidates = {born}  # only where no other candidate exists: a birth date at the calendar's very start
    for day, age in zip(days, ages, strict=True):
        for years in (age, age + 1):
            for k in range(-2, 3):
                try:
                    candidates.add(_years_before(day, years) + timedelta(days=k))
                except (ValueError, OverflowError):  # before the calendar's first day
                    continue
    for candidate in sorted(candidates - {born}) + [born]:
        if [age_on(candidate, day) for day in days] == ages:
            return candidate
    raise AssertionError("unreachable: `born` itself keeps the ages")


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def _student(ctx: DecisionContext) -> StudentFacts | None:
    student = ctx.student
    if student is None:
        return None
    return replace(student, date_of_birth=stand_in_birth_date(student.date_of_birth, age_days(ctx)),
                   home_language=None)


def _party(party: Party | None) -> Party | None:
    return None if party is None else replace(party, name=None, title=None)


def _emergency(em: EmergencyFacts | None) -> EmergencyFacts | None:
    return None if em is None else replace(em, threat="")


def _report(report: ReportFacts | None) -> ReportFacts | None:
    if report is None:
        return None
    return replace(report, justifications={
        name: JUSTIFICATION_GIVEN if text.strip() else "" for name, text in report.justifications.items()})


def _request(request: RequestFacts) -> RequestFacts:
    return replace(
        request, caller=replace(request.caller, name=None, title=None), requester=_party(request.requester),
        recipient=_party(request.recipient), emergency=_emergency(request.emergency),
        report=_report(request.report),
        student_emergencies=tuple(e for e in map(_emergency, request.student_emergencies) if e is not None),
        student_reports=tuple(r for r in map(_report, request.student_reports) if r is not None))
