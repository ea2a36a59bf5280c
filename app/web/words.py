"""Plain words for the codes a page shows (decisions, outcomes, purposes, withhold reasons, legal bases), each a
gettext message so the record of disclosures reads the same in every catalogue. An unknown code shows as itself."""

from __future__ import annotations

from collections.abc import Callable


def N_(text: str) -> str:  # noqa: N802 - the gettext marker babel extracts
    return text


DECISIONS = {
    "ALLOW": N_("Released"), "ALLOW_REDACTED": N_("Partly released"), "DENY": N_("Nothing released"),
    "PENDING_APPROVAL": N_("Waiting for approval"),
}
OUTCOMES = {"RELEASE": N_("Released"), "WITHHOLD": N_("Withheld"), "PENDING": N_("Waiting for approval")}
PURPOSES = {
    "LE_RESPONSE": N_("Police response to a school incident"),
    "IMMEDIATE_SAFETY": N_("Immediate safety"),
    "EMERGENCY": N_("Health or safety emergency"),
    "THREAT_ASSESSMENT": N_("Threat assessment"),
    "EMERGENCY_PLANNING": N_("Emergency planning"),
    "SERVICES_REFERRAL": N_("Referral to services"),
    "ACCOMMODATION_AWARENESS": N_("Awareness of a disability accommodation"),
    "DIVERSION": N_("Diversion program"),
    "MANDATED_REPORT_51A": N_("Report of suspected child abuse or neglect (51A)"),
    "POST_ARREST_PARENT_NOTICE": N_("Notice to parents after an arrest"),
    "WEAPON_REPORT": N_("Report of a weapon at school"),
    "COURT_ORDER": N_("Court order"),
    "SUBPOENA": N_("Subpoena"),
    "STATE_REPORTING": N_("Report to the state"),
    "AUDIT": N_("Audit"),
    "RECORD_INSPECTION": N_("Inspection of the record"),
}
REASONS = {
    "W_BULK": N_("Requests about many students at once are not answered."),
    "W_GANG_DB": N_("Information may not be shared for a gang database."),
    "W_PURPOSE_PROHIBITED": N_("The purpose given is not allowed for police."),
    "W_U12": N_("The student is under 12."),
    "W_REDISCLOSURE": N_("The information may not be passed on again."),
    "W_REPURPOSE": N_("Information shared for services may not be used for police action."),
    "W_IMMIGRATION_MOU": N_("Immigration information is never shared with police."),
    "W_37L": N_("Massachusetts law (c.71 §37L) keeps this information from police."),
    "W_37L_PROXY": N_("This information could reveal what §37L protects, so it is kept from police."),
    "W_PRIVILEGED": N_("Counseling and health information is privileged."),
    "W_SUD97": N_("Substance use treatment information is protected by federal law."),
    "W_IEP_CONSENT": N_("Special education information needs the parent's written consent."),
    "W_OPT_OUT": N_("The family opted out of sharing directory information."),
    "W_UNCLASSIFIED": N_("This kind of information is not in the district's catalogue."),
    "W_NOT_SCHOOL_OFFICIAL": N_("The requester is not acting as a school official."),
    "W_EMERGENCY_INACTIVE": N_("No emergency was in effect."),
    "W_EMERGENCY_NOT_NECESSARY": N_("The emergency did not make this information necessary."),
    "W_CONSENT_INVALID": N_("The consent on file was not valid."),
    "W_CONSENT_SCOPE": N_("The consent on file does not cover this information."),
    "W_NOT_RELEVANT": N_("This information is not relevant to the purpose given."),
    "W_NOT_APPROVED": N_("The principal did not approve it."),
    "W_CONFLICT": N_("A second approval is needed because of a conflict of interest."),
    "W_LEGAL_REVIEW": N_("It is waiting for legal review."),
    "W_NO_BASIS": N_("No law allowed sharing it."),
}
BASES = {
    "FERPA_SCHOOL_OFFICIAL": N_("Shared with a school official with a legitimate educational interest (FERPA)"),
    "FERPA_DIRECTORY": N_("Directory information (FERPA)"),
    "FERPA_CONSENT": N_("Written consent (FERPA)"),
    "FERPA_EMERGENCY": N_("Health or safety emergency (FERPA)"),
    "FERPA_JUDICIAL": N_("Court order or subpoena (FERPA)"),
    "FERPA_STATE_ED": N_("State education authority (FERPA)"),
    "NOT_EDUCATION_RECORD_LEU": N_("A police unit record, not an education record"),
    "37L_GERMANE": N_("Relevant finding (§37L)"),
    "37L_X1_51A": N_("Report of abuse or neglect (§37L)"),
    "37L_X2_CONSENT": N_("Consent (§37L)"),
    "37L_X3_COURT": N_("Court order (§37L)"),
    "37L_X4_EMERGENCY": N_("Emergency (§37L)"),
    "37L_X5_WEAPON": N_("Weapon report (§37L)"),
}
FIELDS = {
    "name": N_("Name"), "home_address": N_("Home address"), "phone": N_("Telephone"),
    "date_of_birth": N_("Date of birth"), "place_of_birth": N_("Place of birth"), "grade_level": N_("Grade"),
    "dates_of_attendance": N_("Dates of attendance"), "activities_sports": N_("Activities and sports"),
    "athlete_height_weight": N_("Height and weight (athletes)"), "honors_awards": N_("Honors and awards"),
    "major_field_of_study": N_("Field of study"), "degrees": N_("Degrees"),
    "post_high_school_plans": N_("Plans after high school"), "photo": N_("Photo"),
    "enrollment_status": N_("Enrollment status"), "prior_school": N_("Previous school"),
    "student_id": N_("Student number"), "class_schedule": N_("Class schedule"),
    "attendance_detail": N_("Attendance details"), "grades": N_("Grades"), "transcript": N_("Transcript"),
    "discipline_history": N_("Discipline history"), "parent_names": N_("Parents' names"),
    "emergency_contacts": N_("Emergency contacts"), "custody_orders": N_("Custody orders"),
    "health_record": N_("Health record"), "medication_allergy_info": N_("Medication and allergies"),
    "housing_status": N_("Housing situation"), "threat_assessment_file": N_("Threat assessment file"),
    "iep_status": N_("Special education status"), "counseling_notes": N_("Counseling notes"),
    "psych_eval": N_("Psychological evaluation"), "sbirt_screening": N_("Substance use screening"),
    "immigration_status": N_("Immigration status"), "citizenship": N_("Citizenship"),
    "neighborhood": N_("Neighborhood"), "country_of_origin": N_("Country of origin"),
    "home_language": N_("Home language"), "english_learner_status": N_("English learner status"),
    "ethnicity": N_("Ethnicity"), "race_ethnicity": N_("Race and ethnicity"), "religion": N_("Religion"),
    "religious_accommodation": N_("Religious accommodation"), "gang_affiliation_note": N_("Gang affiliation note"),
    "incident_report": N_("Incident report"), "bullying_report": N_("Bullying report"),
    "iep": N_("Special education plan (IEP)"), "plan504": N_("504 plan"), "leu_report": N_("Police unit report"),
    "clinician_disclosure_memo": N_("Clinician's disclosure memo"), "family": N_("Family information"),
}
SUBSTITUTES = {"masked": N_("masked"), "redacted": N_("redacted")}


class Words:
    """The codes in plain words, in the page's language."""

    def __init__(self, gettext: Callable[[str], str]) -> None:
        self._ = gettext

    def _say(self, table: dict[str, str], code: str | None) -> str:
        if code is None:
            return ""
        text = table.get(code)
        return self._(text) if text is not None else code

    def decision(self, code: str | None) -> str:
        return self._say(DECISIONS, code)

    def outcome(self, code: str | None) -> str:
        return self._say(OUTCOMES, code)

    def purpose(self, code: str | None) -> str:
        return self._say(PURPOSES, code)

    def reason(self, code: str | None) -> str:
        return self._say(REASONS, code)

    def basis(self, code: str | None) -> str:
        return self._say(BASES, code)

    def field(self, name: str | None) -> str:
        """A field name in plain words: `incident_report:INC-101` reads "Incident report INC-101"; a released
        substitute (`name:masked`) says so; an unknown field shows as its name."""
        if not name:
            return ""
        base, _, rest = name.partition(":")
        text = FIELDS.get(base)
        if text is None:
            return name
        parts = [self._(text)]
        for piece in rest.split(":") if rest else []:
            parts.append(f"({self._(SUBSTITUTES[piece])})" if piece in SUBSTITUTES else piece)
        return " ".join(parts)
