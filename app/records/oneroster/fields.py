"""OneRoster columns -> field-catalogue names (policies/fields.yaml).

Mapped columns get their catalogue name, so the policy sees their tags: the race flags and
`hispanicOrLatinoEthnicity` become `race_ethnicity` (ETHNICITY), the birth-place columns `place_of_birth`
(NATIONAL_ORIGIN), `publicSchoolResidenceStatus` becomes `neighborhood` (NEIGHBORHOOD). Columns the catalogue has no
name for are kept as `oneroster:<column>`, a name the catalogue does not classify, so the gate never releases them
(W_UNCLASSIFIED). Passwords are dropped: a credential is not a record.
"""

from __future__ import annotations

from datetime import date

from app.domain.common import MAX_TEXT
from app.records.oneroster.csvfiles import Row, safe_column_name

UNCLASSIFIED_PREFIX = "oneroster:"

# users.csv columns the importer reads for structure (roles, links, schools) or maps, and so does not keep raw.
USER_STRUCTURAL = frozenset({
    "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "agentSourcedIds", "grades",
    "password", "givenName", "familyName", "middleName", "identifier", "phone", "primaryOrgSourcedId",
    "resourceSourcedIds",
})
RACE_COLUMNS = (
    ("americanIndianOrAlaskaNative", "American Indian or Alaska Native"),
    ("asian", "Asian"),
    ("blackOrAfricanAmerican", "Black or African American"),
    ("nativeHawaiianOrOtherPacificIslander", "Native Hawaiian or Other Pacific Islander"),
    ("white", "White"),
    ("demographicRaceTwoOrMoreRaces", "Two or more races"),
)
BIRTHPLACE_COLUMNS = ("cityOfBirth", "stateOfBirthAbbreviation", "countryOfBirthCode")
DEMOGRAPHIC_STRUCTURAL = frozenset({
    "sourcedId", "status", "dateLastModified", "birthDate", "hispanicOrLatinoEthnicity",
    "publicSchoolResidenceStatus", *(c for c, _ in RACE_COLUMNS), *BIRTHPLACE_COLUMNS,
})
# The catalogue names an import writes; on re-import these are replaced, every other field of the record (IEP
# sections, counselling notes, fields an admin PUT) is left alone.
USER_OWNED = frozenset({"name", "student_id", "phone", "grade_level"})
DEMOGRAPHIC_OWNED = frozenset({"date_of_birth", "race_ethnicity", "place_of_birth", "neighborhood"})


def text(row: Row, column: str) -> str:
    value = row.get(column)
    if len(value) > MAX_TEXT:
        raise row.error(column, f"longer than {MAX_TEXT} characters")
    return value


def parse_date(row: Row, column: str) -> date | None:
    value = row.get(column)
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise row.error(column, "not a date in YYYY-MM-DD form") from None


def parse_bool(row: Row, column: str) -> bool | None:
    value = row.get(column).lower()
    if not value:
        return None
    if value not in ("true", "false"):
        raise row.error(column, "must be true or false")
    return value == "true"


def split_ids(row: Row, column: str) -> list[str]:
    return [part.strip() for part in row.get(column).split(",") if part.strip()]


def full_name(row: Row) -> str:
    parts = [text(row, c) for c in ("givenName", "middleName", "familyName")]
    return " ".join(p for p in parts if p)


def grade(row: Row) -> str | None:
    """The first OneRoster grade code, written as the catalogue's `grade_level` (grade only: "09" -> "9")."""
    grades = split_ids(row, "grades")
    if not grades:
        return None
    code = grades[0]
    if code.isdigit():
        return str(int(code))
    return "K" if code == "KG" else code


def unclassified(row: Row, structural: frozenset[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for column in row.columns:
        if column in structural:
            continue
        value = text(row, column)
        if value:
            fields[UNCLASSIFIED_PREFIX + safe_column_name(column)] = value
    return fields


def user_fields(row: Row) -> dict[str, str]:
    fields = unclassified(row, USER_STRUCTURAL)
    name = full_name(row)
    if not name:
        raise row.error("givenName", "a student needs a givenName or familyName")
    fields["name"] = name
    for column, field in (("identifier", "student_id"), ("phone", "phone")):
        value = text(row, column)
        if value:
            fields[field] = value
    level = grade(row)
    if level:
        fields["grade_level"] = level
    return fields


def demographic_fields(row: Row) -> tuple[date | None, dict[str, str]]:
    fields = unclassified(row, DEMOGRAPHIC_STRUCTURAL)
    born = parse_date(row, "birthDate")
    if born is not None:
        fields["date_of_birth"] = born.isoformat()
    races = [label for column, label in RACE_COLUMNS if parse_bool(row, column)]
    hispanic = parse_bool(row, "hispanicOrLatinoEthnicity")
    parts = list(races)
    if hispanic is not None:
        parts.append("Hispanic or Latino" if hispanic else "Not Hispanic or Latino")
    if parts:
        fields["race_ethnicity"] = "; ".join(parts)
    birthplace = [text(row, c) for c in BIRTHPLACE_COLUMNS]
    if any(birthplace):
        fields["place_of_birth"] = ", ".join(p for p in birthplace if p)
    residence = text(row, "publicSchoolResidenceStatus")
    if residence:
        fields["neighborhood"] = residence
    return born, fields
