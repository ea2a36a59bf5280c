"""Synthetic demo people and records. Deterministic (a fixed seed), so two runs describe the same students.

Every value is invented; names are drawn from short lists and combined, addresses point at a fictional town.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.students.schemas import StudentIn

DISTRICT_ID = "demo"
HIGH, MIDDLE = "demo-hs", "demo-ms"
SCHOOLS = {HIGH: ("Harborview High School (demo)", ["9", "10", "11", "12"]),
           MIDDLE: ("Bayside Middle School (demo)", ["6", "7", "8"])}
INCIDENT_ID = "INC-DEMO-1"
STUDENT_COUNT = 200
# The incident's aggressor and victim: the curl examples ask about the first one.
AGGRESSOR, VICTIM = "demo-st-001", "demo-st-002"

_GIVEN = ["Jordan", "Amara", "Linh", "Mateo", "Noor", "Eli", "Sofia", "Kwame", "Aisha", "Diego", "Mei", "Liam",
          "Fatima", "Yusuf", "Camila", "Ravi", "Zoe", "Tariq", "Ana", "Malik", "Priya", "Owen", "Leila", "Tomas"]
_FAMILY = ["Alves", "Okafor", "Tran", "Rivera", "Haddad", "Cohen", "Santos", "Mensah", "Khan", "Lopez", "Chen",
           "Murphy", "Ali", "Demir", "Gomes", "Patel", "Nguyen", "Said", "Pereira", "Johnson", "Silva", "Walsh"]
_STREETS = ["Harbor St", "Elm Ave", "Fish Pier Rd", "Chestnut St", "Ocean View Dr", "Mill Ln", "Beacon Way"]
_NEIGHBORHOODS = ["Eastside", "Fish Pier", "North Harbor", "Old Mill", "Bayview"]
_RACES = ["White", "Black or African American", "Asian", "Hispanic or Latino", "Two or more races",
          "American Indian or Alaska Native"]
_BIRTHPLACES = ["Boston, MA, US", "Lowell, MA, US", "Sao Paulo, BR", "Santo Domingo, DO", "Hue, VN", "Praia, CV",
                "San Salvador, SV", "Worcester, MA, US"]
_LANGUAGES = [("en", "English"), ("pt", "Portuguese"), ("es", "Spanish"), ("vi", "Vietnamese"), ("ht", "Haitian")]
_RELIGIONS = ["Catholic", "Muslim", "Jewish", "Buddhist", "Protestant", "None stated"]
_IMMIGRATION = ["US citizen", "Lawful permanent resident", "Pending asylum application"]
_COURSES = ["English", "Algebra", "Biology", "US History", "Spanish", "Art", "Health", "Chemistry", "Geometry"]


@dataclass(frozen=True)
class DemoStudent:
    id: str
    body: StudentIn


def school_year(today: date) -> tuple[str, date, date]:
    """The school year containing today, July 1 to June 30, so the demo notice is always the one in force."""
    start_year = today.year if today.month >= 7 else today.year - 1
    return f"{start_year}-{str(start_year + 1)[2:]}", date(start_year, 7, 1), date(start_year + 1, 6, 30)


def students(today: date) -> list[DemoStudent]:
    rng = random.Random(37)  # fixed seed: a rerun reproduces the same synthetic students
    out: list[DemoStudent] = []
    for n in range(1, STUDENT_COUNT + 1):
        student_id = f"demo-st-{n:03d}"
        school = HIGH if n <= 120 else MIDDLE
        grades = SCHOOLS[school][1]
        grade = grades[n % len(grades)]
        age = int(grade) + 5
        born = date(today.year - age, 1, 1) + timedelta(days=rng.randrange(0, 365))
        name = f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"
        code, language = rng.choice(_LANGUAGES)
        fields = {
            "name": name, "date_of_birth": born.isoformat(), "grade_level": grade,
            "student_id": f"S{100000 + n}", "photo": f"photo-ref-{n}",
            "home_address": f"{rng.randrange(1, 300)} {rng.choice(_STREETS)}, Harborview MA",
            "phone": f"555-{1000 + n}", "neighborhood": rng.choice(_NEIGHBORHOODS),
            "place_of_birth": rng.choice(_BIRTHPLACES), "race_ethnicity": rng.choice(_RACES),
            "religion": rng.choice(_RELIGIONS), "home_language": language,
            "class_schedule": "; ".join(f"P{p} {c}" for p, c in enumerate(rng.sample(_COURSES, 5), 1)),
            "grades": ", ".join(f"{c}: {rng.choice('ABCD')}" for c in rng.sample(_COURSES, 4)),
            "attendance_detail": f"{rng.randrange(0, 12)} absences this year",
            "parent_names": f"{rng.choice(_GIVEN)} {name.split()[1]}",
            "emergency_contacts": f"{rng.choice(_GIVEN)} {name.split()[1]} (aunt) 555-0199",
            "enrollment_status": "enrolled",
        }
        sources: dict[str, str] = {}
        if code != "en":
            fields["english_learner_status"] = rng.choice(["EL", "Former EL"])
            fields["immigration_status"] = rng.choice(_IMMIGRATION)
            fields["citizenship"] = "see immigration_status"
        if n % 7 == 0 or n == 1:
            on = (today - timedelta(days=60 + n)).isoformat()
            fields[f"iep:{on}:accommodations"] = "Extended time; breaks on request"
            fields[f"iep:{on}:bip"] = "De-escalation plan: quiet room, call counselor"
            fields["iep_status"] = "active IEP"
        if n % 10 == 0 or n == 1:
            fields["counseling_notes"] = "Weekly sessions; family stressors discussed"
            sources["counseling_notes"] = "clinician"
        if n % 11 == 0:
            fields["health_record"] = "Asthma; inhaler in nurse's office"
        if student_id in (AGGRESSOR, VICTIM):
            report = ("Altercation in the cafeteria between demo-st-001 and demo-st-002; "
                      "the victim was treated by the nurse")
            fields[f"incident_report:{INCIDENT_ID}"] = report
            fields[f"incident_report:{INCIDENT_ID}:masked"] = ("Altercation in the cafeteria between this student "
                                                             "and another student; the other student was treated "
                                                             "by the nurse")
            fields["discipline_history"] = f"{INCIDENT_ID}: 3-day suspension"
        out.append(DemoStudent(student_id, StudentIn(
            school_id=school, name=name, date_of_birth=born, grade_level=grade, home_language=code,
            fields=fields, field_sources=sources)))
    return out
