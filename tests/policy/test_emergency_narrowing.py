"""recipient_fields (R-EMG-9): a recipient named by more than one entry gets only what every entry allows."""

from __future__ import annotations

from datetime import UTC, datetime

from app.policy.conditions.emergency import necessary_for
from app.policy.facts import EmergencyFacts, Party

AT = datetime(2025, 3, 10, 12, tzinfo=UTC)


def _emergency(recipient_fields: dict[str, frozenset[str]]) -> EmergencyFacts:
    return EmergencyFacts(
        id="em-1", school_id="hhs", student_ids=frozenset({"st-a"}), threat="t", imminence="imminent", starts_at=AT,
        review_at=AT, ended_at=None, recipients=frozenset({"sro-1", "role:ems"}),
        necessary_fields={"name": "identify", "photo": "identify", "medication_allergy_info": "treat"},
        recipient_fields=recipient_fields)


SRO = Party(id="sro-1", role="sro", agency_type="police")


def test_id_and_role_entries_intersect_whatever_the_order() -> None:
    em = _emergency({"sro-1": frozenset({"name", "photo"}), "role:sro": frozenset({"photo"})})
    for _ in range(20):
        assert necessary_for(em, SRO, police=True) == frozenset({"photo"})


def test_one_entry_narrows_and_no_entry_keeps_every_necessary_field() -> None:
    assert necessary_for(_emergency({"sro-1": frozenset({"name"})}), SRO) == frozenset({"name"})
    assert necessary_for(_emergency({}), SRO) == frozenset({"name", "photo", "medication_allergy_info"})
