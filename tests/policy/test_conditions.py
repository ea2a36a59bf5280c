"""Each named condition of policies/bases.yaml, tested on its own over small hand-built facts (app/policy/conditions).

Every condition function has a test here named test_<condition> with a case where it holds and one where it does
not (test_every_condition_is_tested keeps it so). The last tests are the loader's: a condition with no function and
a function no condition names are refused.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.policy.bases import parse_bases
from app.policy.conditions import CONDITIONS
from app.policy.conditions import consent as c
from app.policy.conditions import directory as d
from app.policy.conditions import emergency as e
from app.policy.conditions import orders as o
from app.policy.conditions import parties as p
from app.policy.conditions import purpose as pu
from app.policy.conditions import reports as r
from app.policy.context import EmergencyState
from app.policy.engine import PolicyError, load_bases
from app.policy.facts import (
    AnnualNotice,
    ConsentFacts,
    DistrictFacts,
    EmergencyFacts,
    IncidentFacts,
    LegalOrderFacts,
    Party,
    ReportFacts,
    RequestFacts,
    StudentFacts,
)
from app.policy.purposes import PurposeRow, PurposeTable
from app.policy.rules_catalogue import RULE_IDS
from app.policy.tags import FieldInfo
from app.policy.validation import assess_order, emergency_review_at, is_non_judicial

POLICIES = Path(__file__).resolve().parents[2] / "policies"
NOW = datetime(2025, 3, 10, 15, tzinfo=UTC)
TODAY = NOW.date()
NOTICE = AnnualNotice("2024-2025", date(2024, 8, 1), date(2025, 6, 30), date(2024, 8, 1), True, True,
                      frozenset({"LE_RESPONSE"}), frozenset({"name", "grade_level"}), date(2024, 9, 1))
DISTRICT = DistrictFacts("d1", "UTC", date(2024, 7, 1), None, (NOTICE,), emergency_review_hours=4,
                         weapon_report_ferpa_basis="FERPA_SCHOOL_OFFICIAL")
STUDENT = StudentFacts("st-a", "hhs", date(2010, 5, 1), "9")
ADULT = replace(STUDENT, date_of_birth=date(2006, 1, 1))
SRO = Party("sro-1", "sro", "police")
CHIEF = Party("chief-1", "chief", "police")
COUNSELOR = Party("staff-1", "staff", "school")
DCF = Party("dcf-1", "dcf", "dcf")
DESE = Party("dese-1", "dese", "dese")
NAME = FieldInfo("name", "name", None, frozenset({"DIRECTORY"}), directory_type=True)
GRADES = FieldInfo("grades", "grades", None, frozenset({"ORDINARY"}))
RELIGION = FieldInfo("religion", "religion", None, frozenset({"RELIGION"}))
GANG_NOTE = FieldInfo("gang_note", "gang_note", None, frozenset({"GANG"}))
COUNSELING = FieldInfo("counseling_notes", "counseling_notes", None, frozenset({"PRIVILEGED"}))
MEMO = FieldInfo("clinician_memo:m1", "clinician_memo:m1", None, frozenset({"PRIVILEGED_MEMO"}), memo=True)
IEP_DOC = FieldInfo("iep:2024-10-03:full", "iep:2024-10-03:full", None, frozenset({"DISABILITY"}),
                    full_document=True)
ALLERGY = FieldInfo("medication_allergy_info", "medication_allergy_info", None, frozenset({"ORDINARY"}),
                    medical=True)
LEU_REPORT = FieldInfo("leu_report:r1", "leu_report:r1", None, frozenset({"LEU"}))
ROW = PurposeRow(frozenset({"grades"}), (), False, False, False, None, False, False, None)
INCIDENT = IncidentFacts("inc-1", "hhs", NOW - timedelta(days=1), "MOU_II_1_PHYSICAL_HARM", {"st-a": "aggressor"},
                         ("WEAPON_37L",))
PURPOSES = PurposeTable({
    "sro_allowed": ["LE_RESPONSE", "EMERGENCY"], "district_side": ["STATE_REPORTING"], "prohibited": [],
    "skip_school_official_test": ["EMERGENCY"], "law_enforcement_action": ["LE_RESPONSE"],
    "le_response_incidents": {"allowed": ["MOU_II_1_PHYSICAL_HARM"], "principal_judgment": ["LOW_LEVEL_OFFENSE"],
                              "prohibited": ["CODE_OF_CONDUCT"]},
    "misconduct_roles": ["aggressor"],
    "relevance": {"LE_RESPONSE": {"fields": ["grades"], "needs_incident": True},
                  "EMERGENCY": {"from_emergency": True}, "STATE_REPORTING": {"recipients": ["dese"]}},
})


def _request(**changes: Any) -> RequestFacts:
    return replace(RequestFacts("LE_RESPONSE", ("grades",), SRO, SRO), **changes)


# ---- parties -------------------------------------------------------------------------------------------------------
def test_requester_school_official() -> None:
    assert p.requester_school_official("school_official")
    assert not p.requester_school_official("sro_not_official")


def test_requester_district_staff() -> None:
    assert p.requester_district_staff("school")
    assert not p.requester_district_staff("school_official")


def test_requester_school_staff() -> None:
    assert p.requester_school_staff("school_official") and p.requester_school_staff("school")
    assert not p.requester_school_staff("le_other")


def test_field_37l_for_law_enforcement() -> None:
    assert p.field_37l_for_law_enforcement(RELIGION, "le_other")
    assert not p.field_37l_for_law_enforcement(RELIGION, "school")  # district staff are not law enforcement
    assert not p.field_37l_for_law_enforcement(GRADES, "le_other")


def test_field_is_leu_record() -> None:
    assert p.field_is_leu_record(LEU_REPORT)
    assert not p.field_is_leu_record(GRADES)


# ---- purpose path ----------------------------------------------------------------------------------------------
def test_purpose_on_school_official_path() -> None:
    assert pu.purpose_on_school_official_path("LE_RESPONSE", PURPOSES)
    assert not pu.purpose_on_school_official_path("EMERGENCY", PURPOSES)  # decided by the emergency
    assert not pu.purpose_on_school_official_path("TRUANCY", PURPOSES)  # no row


def test_field_relevant_to_purpose() -> None:
    assert pu.field_relevant_to_purpose(GRADES, frozenset({"grades"}))
    assert not pu.field_relevant_to_purpose(RELIGION, frozenset({"grades"}))


def test_case_named_where_required() -> None:
    needs = replace(ROW, needs_case=True)
    assert pu.case_named_where_required(needs, "case-7") and pu.case_named_where_required(ROW, None)
    assert not pu.case_named_where_required(needs, "  ")


def test_incident_names_student_where_required() -> None:
    needs = replace(ROW, needs_incident=True)
    low = replace(INCIDENT, classification="LOW_LEVEL_OFFENSE")
    assert pu.incident_names_student_where_required(needs, INCIDENT, "st-a", PURPOSES)
    assert pu.incident_names_student_where_required(needs, low, "st-a", PURPOSES)  # left to the principal
    assert pu.incident_names_student_where_required(ROW, None, "st-a", PURPOSES)
    assert not pu.incident_names_student_where_required(needs, INCIDENT, "st-b", PURPOSES)
    assert not pu.incident_names_student_where_required(needs, None, "st-a", PURPOSES)
    assert not pu.incident_names_student_where_required(
        needs, replace(INCIDENT, classification="CODE_OF_CONDUCT"), "st-a", PURPOSES)


def test_incident_low_level() -> None:
    assert pu.incident_low_level(replace(INCIDENT, classification="LOW_LEVEL_OFFENSE"), PURPOSES)
    assert not pu.incident_low_level(INCIDENT, PURPOSES)
    assert not pu.incident_low_level(None, PURPOSES)


def test_services_notice_on_file_where_required() -> None:
    needs = replace(ROW, needs_services_notice=True)
    assert pu.services_notice_on_file_where_required(needs, _request(services_notice_on_file=True))
    assert pu.services_notice_on_file_where_required(ROW, _request())
    assert not pu.services_notice_on_file_where_required(needs, _request())


def test_recipient_state_education_authority() -> None:
    state = replace(ROW, recipients=frozenset({"dese"}))
    assert pu.recipient_state_education_authority(state, DESE)
    assert not pu.recipient_state_education_authority(state, SRO)
    assert not pu.recipient_state_education_authority(ROW, DESE)  # the purpose lists no recipients


# ---- directory -------------------------------------------------------------------------------------------------
def test_directory_only_request() -> None:
    assert d.directory_only_request([NAME], NOTICE)
    assert not d.directory_only_request([NAME, GRADES], NOTICE)
    assert not d.directory_only_request([NAME], None)
    assert not d.directory_only_request([], NOTICE)
    assert not d.directory_only_request([replace(NAME, name="name:masked", sibling="masked")], NOTICE)


def test_directory_field_not_opted_out() -> None:
    assert d.directory_field_not_opted_out(NAME, STUDENT, NOTICE, TODAY)
    assert not d.directory_field_not_opted_out(NAME, replace(STUDENT, directory_opt_out=frozenset({"name"})),
                                               NOTICE, TODAY)
    assert not d.directory_field_not_opted_out(NAME, replace(STUDENT, directory_opt_out=frozenset({"*"})),
                                               NOTICE, TODAY)
    assert not d.directory_field_not_opted_out(NAME, STUDENT, NOTICE, date(2024, 8, 20))  # window still open
    assert not d.directory_field_not_opted_out(GRADES, STUDENT, NOTICE, TODAY)  # not designated


def test_directory_request_unlinked() -> None:
    assert d.directory_request_unlinked(_request())
    assert not d.directory_request_unlinked(_request(identified_by="student_id"))
    assert not d.directory_request_unlinked(_request(incident_id_given=True))  # cited, even if unknown


def test_directory_recipient_allowed() -> None:
    assert d.directory_recipient_allowed(NOTICE, SRO)  # the notice lists no recipients: anyone
    listed = replace(NOTICE, directory_recipients=frozenset({"school"}))
    assert d.directory_recipient_allowed(listed, COUNSELOR)
    assert not d.directory_recipient_allowed(listed, SRO)


# ---- consent ---------------------------------------------------------------------------------------------------
CONSENT = ConsentFacts("con-1", "st-a", "par-1", "parent", date(2025, 1, 6), True, True, True, "en",
                       frozenset({"grades"}), frozenset({"RELIGION"}), "LE_RESPONSE", frozenset({"sro-1"}),
                       None, True, (), None, NOW - timedelta(days=60))


def test_consent_in_force() -> None:
    assert c.consent_in_force(CONSENT, STUDENT, DISTRICT, NOW)
    assert not c.consent_in_force(replace(CONSENT, revoked_at=NOW - timedelta(minutes=1)), STUDENT, DISTRICT, NOW)
    assert not c.consent_in_force(replace(CONSENT, expires_on=TODAY - timedelta(days=1)), STUDENT, DISTRICT, NOW)
    assert not c.consent_in_force(CONSENT, ADULT, DISTRICT, NOW)  # the parent's consent ends at 18
    invalid = replace(CONSENT, valid=False, invalid_reasons=("NOT_AUTHENTICATED",))
    assert c.consent_in_force_failure(invalid, STUDENT, DISTRICT, NOW) == "R-CON-2"


def test_consent_covers_field() -> None:
    assert c.consent_covers_field(CONSENT, GRADES, "LE_RESPONSE", SRO, "school_official")
    assert c.consent_covers_field(CONSENT, RELIGION, "LE_RESPONSE", SRO, "school_official")  # by its 37L category
    assert not c.consent_covers_field(CONSENT, GRADES, "DIVERSION", SRO, "school_official")
    assert not c.consent_covers_field(CONSENT, GRADES, "LE_RESPONSE", CHIEF, "le_other")
    iep = FieldInfo("iep_status", "iep_status", None, frozenset({"DISABILITY_STATUS"}))
    by_agency = replace(CONSENT, fields=frozenset({"iep_status"}), recipients=frozenset({"agency:HPD"}))
    sro_of_hpd = replace(SRO, affiliation="HPD")
    assert c.consent_covers_field(by_agency, iep, "LE_RESPONSE", sro_of_hpd, "non_le")  # named by its agency
    assert c.consent_scope_failure(by_agency, iep, "LE_RESPONSE", sro_of_hpd, "school_official") == "R-CON-6"


def test_pupil_consent_covers_field() -> None:
    pupil = replace(CONSENT, signer_relationship="student")
    assert c.pupil_consent_covers_field([pupil, CONSENT], STUDENT, TODAY)
    assert c.pupil_consent_covers_field([pupil], ADULT, TODAY)
    assert not c.pupil_consent_covers_field([pupil], STUDENT, TODAY)  # under 18: a parent's too
    assert not c.pupil_consent_covers_field([CONSENT], STUDENT, TODAY)


# ---- emergency -------------------------------------------------------------------------------------------------
EMERGENCY = EmergencyFacts("em-1", "hhs", frozenset({"st-a"}), "t", "imminent", NOW - timedelta(hours=1),
                           NOW + timedelta(hours=2), None, frozenset({"sro-1", "role:ems"}),
                           {"name": "identify", "medication_allergy_info": "treat"},
                           {"role:ems": frozenset({"medication_allergy_info"})})


def test_emergency_active() -> None:
    assert e.emergency_active(EMERGENCY, NOW, DISTRICT)
    assert not e.emergency_active(replace(EMERGENCY, ended_at=NOW), NOW, DISTRICT)
    assert not e.emergency_active(EMERGENCY, NOW - timedelta(hours=2), DISTRICT)  # not started
    assert not e.emergency_active(EMERGENCY, NOW + timedelta(hours=2), DISTRICT)  # past its review time
    # A stored review time later than the district's review hours is capped again (a shortened setting).
    short = replace(DISTRICT, emergency_review_hours=1)
    assert not e.emergency_active(EMERGENCY, NOW, short)
    assert e.emergency_active(replace(EMERGENCY, renewed_at=NOW - timedelta(minutes=5)), NOW, short)


def test_emergency_covers_recipient() -> None:
    assert e.emergency_covers_recipient(EMERGENCY, "st-a", SRO)
    assert e.emergency_covers_recipient(EMERGENCY, "st-a", Party("ems-1", "ems", "ems"))  # by role
    assert not e.emergency_covers_recipient(EMERGENCY, "st-b", SRO)
    assert not e.emergency_covers_recipient(EMERGENCY, "st-a", CHIEF)


def _state(em: EmergencyFacts, party: Party, police: bool) -> EmergencyState:
    allowed, medical = e.necessary_pair(em, party, police)
    return EmergencyState(True, em, True, True, allowed, medical)


def test_emergency_field_necessary() -> None:
    assert e.emergency_field_necessary(_state(EMERGENCY, SRO, True), NAME)
    assert e.emergency_field_necessary(_state(EMERGENCY, Party("ems-1", "ems", "ems"), False), ALLERGY)
    assert not e.emergency_field_necessary(_state(EMERGENCY, SRO, True), GRADES)
    # R-EMG-9: the medical field the declaration marked for EMS is not necessary for police.
    assert e.emergency_necessity_failure(_state(EMERGENCY, SRO, True), ALLERGY) == "R-EMG-9"
    with_doc = replace(EMERGENCY, necessary_fields={IEP_DOC.base: "all of it"}, recipient_fields={})
    assert e.emergency_necessity_failure(_state(with_doc, SRO, True), IEP_DOC) == "R-EMG-3"


def test_emergency_requested_by_sro() -> None:
    assert e.emergency_requested_by_sro(SRO, "EMERGENCY", NAME)
    assert not e.emergency_requested_by_sro(SRO, "LE_RESPONSE", NAME)
    assert not e.emergency_requested_by_sro(CHIEF, "EMERGENCY", NAME)
    assert e.emergency_request_failure(SRO, "EMERGENCY", IEP_DOC) == "R-EMG-3"


# ---- orders ----------------------------------------------------------------------------------------------------
ORDER = LegalOrderFacts("ord-1", "COURT_ORDER", "st-a", frozenset({"grades"}), frozenset({"RELIGION"}), "chief-1",
                        False, True, (), "validated", "cnsl-1", NOW - timedelta(days=10),
                        datetime(2025, 2, 24, 12, tzinfo=UTC))


def test_order_judicial() -> None:
    assert o.order_judicial(ORDER) and o.order_judicial(replace(ORDER, kind="SUBPOENA"))
    for kind in ("ADMIN_WARRANT", "DETAINER"):
        assert not o.order_judicial(replace(ORDER, kind=kind))
    assert not o.order_judicial(replace(ORDER, status="rejected"))
    assert not o.order_judicial(replace(ORDER, valid=False))


def test_non_judicial_is_one_answer_when_stored_and_when_decided() -> None:
    for kind in ("COURT_ORDER", "SUBPOENA", "ADMIN_SUBPOENA", "ADMIN_WARRANT", "DETAINER"):
        valid, reasons = assess_order(kind)  # how the service and the scenario world store the paper
        assert valid is not is_non_judicial(kind)
        assert reasons == (() if valid else ("NOT_JUDICIAL_PROCESS",))
        stored = replace(ORDER, kind=kind, valid=valid, invalid_reasons=reasons)
        assert o.order_judicial(stored) is valid


def test_order_covers_field() -> None:
    assert o.order_covers_field(ORDER, GRADES, "st-a", "chief-1")
    assert o.order_covers_field(ORDER, RELIGION, "st-a", "chief-1")  # by its 37L category
    assert not o.order_covers_field(ORDER, GRADES, "st-b", "chief-1")
    assert not o.order_covers_field(ORDER, GRADES, "st-a", "sro-1")
    privileged = replace(ORDER, fields=frozenset({"counseling_notes"}))
    assert o.order_covers_field(privileged, COUNSELING, "st-a", "chief-1")
    assert o.order_coverage_failure(replace(privileged, kind="SUBPOENA"), COUNSELING, "st-a", "chief-1") == "R-LGL-5"


def test_order_admin_subpoena() -> None:
    assert o.order_admin_subpoena(replace(ORDER, kind="ADMIN_SUBPOENA"))
    assert not o.order_admin_subpoena(ORDER)


def test_order_awaiting_validation() -> None:
    assert o.order_awaiting_validation(replace(ORDER, status="received"))
    assert not o.order_awaiting_validation(ORDER)


def test_order_validated_in_hold() -> None:
    # Notice sent Monday 2025-02-24: five school days later is Monday 2025-03-03, 00:00 district time.
    assert o.order_validated_in_hold(ORDER, DISTRICT, datetime(2025, 3, 2, 23, tzinfo=UTC))
    assert o.order_validated_in_hold(replace(ORDER, parent_notice_sent_at=None), DISTRICT, NOW)  # no notice yet
    assert not o.order_validated_in_hold(ORDER, DISTRICT, datetime(2025, 3, 3, tzinfo=UTC))
    assert not o.order_validated_in_hold(replace(ORDER, status="received"), DISTRICT, NOW)


def test_order_validated_past_hold() -> None:
    assert o.order_validated_past_hold(ORDER, DISTRICT, NOW)
    gag = replace(ORDER, non_disclosure_order=True, parent_notice_sent_at=None, validated_at=NOW)
    assert o.order_validated_past_hold(gag, DISTRICT, NOW)  # a non-disclosure order goes at validation
    assert not o.order_validated_past_hold(ORDER, DISTRICT, datetime(2025, 2, 25, tzinfo=UTC))
    assert not o.order_validated_past_hold(replace(ORDER, status="received"), DISTRICT, NOW)


def test_order_compels_gang_db_submission() -> None:
    assert o.order_compels_gang_db_submission(ORDER, "gang_db")
    assert not o.order_compels_gang_db_submission(replace(ORDER, kind="SUBPOENA"), "gang_db")
    assert not o.order_compels_gang_db_submission(ORDER, "le_other")


# ---- reports ---------------------------------------------------------------------------------------------------
R51A = ReportFacts("rep-1", "REPORT_51A", "st-a", None, "staff-1", "staff", "dcf-1", frozenset({"grades"}))
WEAPON = ReportFacts("rep-2", "WEAPON_REPORT", "st-a", "inc-1", "supt-1", "superintendent", "chief-1",
                     frozenset({"grades", "discipline_history", "gang_note"}))
GERMANE = ReportFacts("rep-3", "GERMANE_FINDING", "st-a", "inc-1", "prin-1", "principal", None,
                      frozenset({"religion"}), duty="WEAPON_37L", duty_holder="the superintendent",
                      justifications={"religion": "the threat named a place of worship"})


def test_report_51a_cited() -> None:
    assert r.report_51a_cited(R51A, "st-a", "MANDATED_REPORT_51A", GRADES)
    assert not r.report_51a_cited(R51A, "st-a", "MANDATED_REPORT_51A", RELIGION)  # not listed
    assert not r.report_51a_cited(R51A, "st-a", "LE_RESPONSE", GRADES)
    assert not r.report_51a_cited(R51A, "st-b", "MANDATED_REPORT_51A", GRADES)


def test_recipient_mandated_reporter() -> None:
    assert r.recipient_mandated_reporter(R51A, COUNSELOR) and r.recipient_mandated_reporter(R51A, DCF)
    assert not r.recipient_mandated_reporter(R51A, SRO)


def test_weapon_report_to_chief() -> None:
    assert r.weapon_report_to_chief(WEAPON, "WEAPON_REPORT", GRADES, INCIDENT, CHIEF, DISTRICT)
    assert not r.weapon_report_to_chief(WEAPON, "WEAPON_REPORT", GRADES, INCIDENT, SRO, DISTRICT)
    assert not r.weapon_report_to_chief(WEAPON, "WEAPON_REPORT", GRADES, INCIDENT, CHIEF,
                                        replace(DISTRICT, weapon_report_ferpa_basis=None))  # not configured
    discipline = FieldInfo("discipline_history", "discipline_history", None, frozenset({"ORDINARY"}))
    assert not r.weapon_report_to_chief(WEAPON, "WEAPON_REPORT", discipline, INCIDENT, CHIEF, DISTRICT)  # R-GATE-4
    not_a_weapon = replace(INCIDENT, classification="MOU_II_3_THEFT", reporting_duties=())
    assert not r.weapon_report_to_chief(WEAPON, "WEAPON_REPORT", GRADES, not_a_weapon, CHIEF, DISTRICT)
    assert not r.weapon_report_to_chief(replace(WEAPON, filed_by_role="principal"), "WEAPON_REPORT", GRADES,
                                        INCIDENT, CHIEF, DISTRICT)


def test_weapon_field_not_gang() -> None:
    assert r.weapon_field_not_gang(RELIGION)
    assert not r.weapon_field_not_gang(GANG_NOTE)


def test_germane_finding_holds() -> None:
    assert r.germane_finding_holds(GERMANE, RELIGION, INCIDENT)
    assert not r.germane_finding_holds(GERMANE, GANG_NOTE, INCIDENT)  # no justification for the field
    assert not r.germane_finding_holds(GERMANE, RELIGION, None)
    assert not r.germane_finding_holds(replace(GERMANE, filer_serves_school=False), RELIGION, INCIDENT)
    assert not r.germane_finding_holds(GERMANE, RELIGION, replace(INCIDENT, reporting_duties=()))
    assert not r.germane_finding_holds(replace(GERMANE, duty_holder=" "), RELIGION, INCIDENT)


def test_memo_flagged_by_clinician() -> None:
    flag = ReportFacts("rep-4", "CLINICIAN_FLAG", "st-a", None, "clin-1", "clinician", None, frozenset(),
                       memo_field=MEMO.base)
    assert r.memo_flagged_by_clinician(MEMO, [R51A, flag])
    assert not r.memo_flagged_by_clinician(MEMO, [replace(flag, filed_by_role="staff")])
    assert not r.memo_flagged_by_clinician(MEMO, [replace(flag, memo_field="clinician_memo:m2")])
    assert not r.memo_flagged_by_clinician(COUNSELING, [replace(flag, memo_field=COUNSELING.base)])  # not a memo


# ---- the one place for review times and storage ------------------------------------------------------------------
def test_review_time_is_capped_at_review_hours() -> None:
    assert emergency_review_at(NOW, None, 4) == NOW + timedelta(hours=4)
    assert emergency_review_at(NOW, NOW + timedelta(hours=1), 4) == NOW + timedelta(hours=1)
    assert emergency_review_at(NOW, NOW + timedelta(hours=9), 4) == NOW + timedelta(hours=4)


def test_every_condition_is_tested() -> None:
    untested = sorted(n for n in CONDITIONS if f"test_{n}" not in globals())
    assert not untested, untested


# ---- the loader keeps conditions and functions together ------------------------------------------------------------
def _spec() -> dict[str, object]:
    loaded = yaml.safe_load((POLICIES / "bases.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_shipped_catalogue_names_exactly_the_functions() -> None:
    assert set(load_bases(POLICIES).conditions) == set(CONDITIONS)


def test_condition_without_a_function_is_refused(tmp_path: Path) -> None:
    spec = _spec()
    conditions = spec["conditions"]
    assert isinstance(conditions, dict)
    conditions["requester_is_friendly"] = {"says": "the recipient seems friendly", "rules": ["R-SO-1"]}
    with pytest.raises(PolicyError, match="conditions with no function in app/policy/conditions: "
                                          "requester_is_friendly"):
        parse_bases(spec, RULE_IDS)
    # And the service does not start on it: the engine loads bases.yaml through the same check.
    target = tmp_path / "policies"
    shutil.copytree(POLICIES, target)
    (target / "bases.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    with pytest.raises(PolicyError, match="requester_is_friendly"):
        load_bases(target)


def test_function_no_condition_names_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def order_looks_official(order: LegalOrderFacts) -> bool:
        return order.kind != ""

    monkeypatch.setitem(CONDITIONS, "order_looks_official", order_looks_official)
    with pytest.raises(PolicyError, match="functions bases.yaml does not name as conditions: order_looks_official"):
        load_bases(POLICIES)
    spec = _spec()
    conditions = spec["conditions"]
    assert isinstance(conditions, dict)
    del conditions["weapon_field_not_gang"]  # a condition dropped from the catalogue leaves its function unnamed
    monkeypatch.delitem(CONDITIONS, "order_looks_official")
    with pytest.raises(PolicyError, match="weapon_field_not_gang"):
        parse_bases(spec, RULE_IDS)


# ---- token roles come from the catalogue ---------------------------------------------------------------------------
def test_token_roles_are_read_from_the_catalogue() -> None:
    roles = load_bases(POLICIES).roles()
    orders = {"order", "order_lift", "order_hold", "order_hold_lift", "order_review", "order_review_lift",
              "order_review_counsel", "order_review_counsel_lift", "order_gang"}
    assert roles.forwardable == {"consent", "consent_lift", "emergency", "emergency_lift"} | orders
    assert roles.emergency == roles.sro_emergency == {"emergency", "emergency_lift", "emergency_request",
                                                      "emergency_request_lift"}
    assert roles.order == orders
    assert roles.report_use == {"r51a", "r51a_lift", "weapon", "weapon_lift"}
    assert roles.diversion == roles.consent_scope == {"consent", "consent_lift"}
    assert roles.directory == roles.directory_37l == {"directory"}
    # A basis that names R-USE-4 is one police may forward after; nothing in Python lists it.
    spec = _spec()
    bases = spec["bases"]
    assert isinstance(bases, dict)
    bases["mou_share"] = {"rules": ["R-SO-1", "R-USE-4"], "citation": "MOU VI.A", "resolver": "path",
                          "conditions": ["requester_school_official"]}
    assert "mou_share" in parse_bases(spec, RULE_IDS).roles().forwardable
