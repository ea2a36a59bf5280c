"""Builds decision contexts in memory from acceptance-format YAML (shared/acceptance/FORMAT.md): a fixture, a
scenario's setup and its steps. Artifacts are stored the way the service stores them, through the same functions of
validation.py (assess_consent, check_emergency_declaration and emergency_review_at, assess_order,
revocation_effective_at). Used by the policy suites and the example tests; never by the service itself."""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

from app.policy import facts as f
from app.policy.context import district_zone
from app.policy.validation import (
    assess_consent,
    assess_order,
    check_emergency_declaration,
    emergency_review_at,
    revocation_effective_at,
)


def merge(base: Any, over: Any) -> Any:
    """FORMAT.md section 4: mappings merge, lists are replaced, the value <delete> removes a key."""
    if not isinstance(base, dict) or not isinstance(over, dict):
        return copy.deepcopy(over)
    out = copy.deepcopy(base)
    for key, value in over.items():
        if value == "<delete>":
            out.pop(key, None)
        else:
            out[key] = merge(out.get(key), value) if isinstance(value, dict) else copy.deepcopy(value)
    return out


def _d(v: Any) -> date | None:
    return None if v is None else (v if isinstance(v, date) else date.fromisoformat(str(v)))


def _t(v: Any) -> datetime | None:
    return None if v is None else (v if isinstance(v, datetime) else datetime.fromisoformat(str(v)))


def _fs(v: Any) -> frozenset[str]:
    return frozenset(str(x) for x in (v or ()))


class World:
    def __init__(self, fixture: dict[str, Any], setup: dict[str, Any] | None, now: datetime) -> None:
        data = merge(fixture, setup or {})
        self.now = now
        self._raw_users: dict[str, Any] = data.get("users") or {}
        self.district = self._district(data["district"])
        self.users = {uid: self._party(uid, u) for uid, u in (data.get("users") or {}).items()}
        self.users.setdefault("admin", f.Party("admin", "admin", "school"))
        self.students = {sid: self._student(sid, s) for sid, s in (data.get("students") or {}).items()}
        self.incidents = {iid: self._incident(iid, i) for iid, i in (data.get("incidents") or {}).items()}
        self.bound: dict[str, str] = {}
        self.consents: dict[str, f.ConsentFacts] = {}
        self.emergencies: dict[str, f.EmergencyFacts] = {}
        self.orders: dict[str, f.LegalOrderFacts] = {}
        self.reports: dict[str, f.ReportFacts] = {}

    def _district(self, d: dict[str, Any]) -> f.DistrictFacts:
        notices = tuple(
            f.AnnualNotice(
                str(n["school_year"]), _d(n["starts_on"]) or date.min, _d(n["ends_on"]) or date.min,
                _d(n["issued_on"]) or date.min, bool(n.get("names_sros")), bool(n.get("names_pd_contacts")),
                _fs(n.get("sro_purposes")), _fs(n.get("directory_fields")),
                _d(n.get("directory_opt_out_closes_on")) or date.min,
                None if n.get("directory_recipients") is None else _fs(n.get("directory_recipients")),
            )
            for n in d.get("annual_notifications") or ()
        )
        mou, settings = d.get("mou") or {}, d.get("settings") or {}
        units = tuple(f.LawEnforcementUnit(u["id"], u.get("name", ""), u.get("supervisor"))
                      for u in d.get("law_enforcement_units") or ())
        return f.DistrictFacts(
            d["id"], d.get("timezone", "UTC"), _d(mou.get("signed_on")), _d(mou.get("withdrawn_on")), notices,
            _fs(d.get("home_language_duty")), units,
            frozenset(_d(h) or date.min for h in (d.get("calendar") or {}).get("holidays") or ()),
            int(settings.get("emergency_review_hours", 4)), int(settings.get("legal_notice_hold_school_days", 5)),
            str(settings.get("redisclosure_notice_version", "")),
            str(settings.get("consent_default_lapse", "end_of_school_year")),
            settings.get("weapon_report_ferpa_basis"),
        )

    @staticmethod
    def _party(uid: str, u: dict[str, Any]) -> f.Party:
        return f.Party(uid, u["role"], u.get("agency_type") or "other", u.get("name"), u.get("title"),
                       u.get("affiliation"), _fs(u.get("school_ids")), _d(u.get("sro_certified_until")),
                       bool(u.get("mou_contact")), _fs(u.get("declared_relationships")), _fs(u.get("student_ids")))

    def _student(self, sid: str, s: dict[str, Any]) -> f.StudentFacts:
        parents = []
        for uid, u in self._raw_users.items():
            for child in u.get("children") or ():
                if child.get("student_id") == sid:
                    parents.append(f.ParentLink(uid, child.get("relationship", "parent"),
                                                bool(child.get("rights_limited"))))
        return f.StudentFacts(
            sid, s["school_id"], _d(s["date_of_birth"]) or date.min, s.get("grade_level"),
            bool(s.get("enrolled", True)),
            _d(s.get("left_on")), s.get("home_language"), _fs(s.get("directory_opt_out")), _fs(s.get("fields")),
            dict(s.get("field_sources") or {}), tuple(parents),
        )

    def _incident(self, iid: str, i: dict[str, Any]) -> f.IncidentFacts:
        students = {s["student_id"]: s["role"] for s in i.get("students") or ()}
        return f.IncidentFacts(iid, i["school_id"], _t(i["occurred_at"]) or self.now, i["classification"], students,
                               tuple(i.get("reporting_duties") or ()))

    def ref(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
            name = value[2:-1]
            optional = name.endswith("?")
            name = name.rstrip("?")
            return self.bound.get(name) if optional else self.bound.get(name, name)
        if isinstance(value, list):
            return [self.ref(v) for v in value]
        if isinstance(value, dict):
            return {k: self.ref(v) for k, v in value.items()}
        return value

    # ---- steps -------------------------------------------------------------------------------------------------
    def apply(self, action: str, step: dict[str, Any], generic: tuple[str, ...] = ()) -> f.DecisionContext | None:
        """Record an artifact step; for `request`/`preview` return the context to decide (others: None)."""
        body = self.ref(step.get("body") or {})
        name = step.get("as")
        if action in ("request", "preview"):
            return self.context(step.get("by", "admin"), body)
        if action == "consent":
            self._consent(name or f"consent-{len(self.consents)}", self.ref(step["student"]), body)
        elif action == "revoke_consent":
            cid = self.ref("${" + step["consent"] + "}")
            if cid in self.consents:
                stated = body.get("revoked_on")
                on = _t(stated) if "T" in str(stated) else _d(stated)
                at = revocation_effective_at(on, self.now, district_zone(self.district))
                self.consents[cid] = _replace(self.consents[cid], revoked_at=at)
        elif action == "emergency":
            self._emergency(name or f"em-{len(self.emergencies)}", step.get("by", ""), body, generic)
        elif action == "end_emergency":
            eid = self.ref("${" + step["emergency"] + "}")
            if eid in self.emergencies:
                self.emergencies[eid] = _replace(self.emergencies[eid], ended_at=self.now)
        elif action == "legal_order":
            oid = name or f"order-{len(self.orders)}"
            kind = body["kind"]
            valid, reasons = assess_order(kind)
            self.orders[oid] = f.LegalOrderFacts(
                oid, kind, body["student_id"], _fs(body.get("fields")), _fs(body.get("categories_37l")),
                body.get("recipient", ""), bool(body.get("non_disclosure_order")), valid, reasons, "received")
            self.bound[oid] = oid
        elif action in ("validate_order", "parent_notice"):
            oid = self.ref("${" + step["order"] + "}")
            if oid in self.orders and self.orders[oid].valid:
                o = self.orders[oid]
                if action == "validate_order":
                    self.orders[oid] = _replace(o, status="validated", validated_by=step.get("by"),
                                                validated_at=self.now)
                else:
                    self.orders[oid] = _replace(o, parent_notice_sent_at=_t(body.get("sent_at")) or self.now)
        elif action == "report":
            self._report(name or f"report-{len(self.reports)}", body)
        return None

    def _consent(self, cid: str, student_id: str, body: dict[str, Any]) -> None:
        student = self.students[student_id]
        data = f.ConsentInput(
            body["signed_by"], body["signer_relationship"], _d(body["signed_on"]) or date.min, bool(body["written"]),
            bool(body["authenticated"]), bool(body.get("informed", True)), str(body["language"]),
            _fs(body.get("fields")), _fs(body.get("categories_37l")), body["purpose"], _fs(body.get("recipients")),
            _d(body.get("expires_on")))
        valid, reasons = assess_consent(data, student, self.users.get(data.signed_by), self.district, self.now)
        self.consents[cid] = f.ConsentFacts(
            cid, student_id, data.signed_by, data.signer_relationship, data.signed_on, data.written,
            data.authenticated, data.informed, data.language, data.fields, data.categories_37l, data.purpose,
            data.recipients, data.expires_on, valid, reasons, None, self.now)
        self.bound[cid] = cid

    def _emergency(self, eid: str, by: str, body: dict[str, Any], generic: tuple[str, ...]) -> None:
        starts, review = _t(body.get("starts_at")) or self.now, _t(body.get("review_at"))
        problems = check_emergency_declaration(
            threat=body.get("threat"), significance=body.get("significance"), imminence=body.get("imminence"),
            persons_at_risk=body.get("persons_at_risk"), necessary_fields=body.get("necessary_fields"),
            starts_at=starts, review_at=review, generic_phrases=generic)
        if problems:
            return  # refused with 422: nothing stored, the name stays unbound
        self.emergencies[eid] = f.EmergencyFacts(
            eid, body["school_id"], _fs(body.get("student_ids")), body["threat"], body["imminence"], starts,
            emergency_review_at(starts, review, self.district.emergency_review_hours), None,
            _fs(body.get("recipients")), dict(body.get("necessary_fields") or {}),
            {k: _fs(v) for k, v in (body.get("recipient_fields") or {}).items()}, by)
        self.bound[eid] = eid

    def _report(self, rid: str, body: dict[str, Any]) -> None:
        filer = self.users.get(body.get("filed_by", ""))
        self.reports[rid] = f.ReportFacts(
            rid, body["kind"], body["student_id"], body.get("incident_id"), body.get("filed_by", ""),
            filer.role if filer else "", body.get("recipient"), _fs(body.get("fields")), body.get("duty"),
            body.get("duty_holder"), dict(body.get("justifications") or {}), body.get("memo_field"), self.now)
        self.bound[rid] = rid

    def context(self, by: str, body: dict[str, Any]) -> f.DecisionContext:
        caller = self.users.get(by) or f.Party(by, "unknown", "other")
        requester = self.users.get(body["requester"]) if body.get("requester") else caller
        recipient = self.users.get(body["recipient"]) if body.get("recipient") else None
        if body.get("recipient") and recipient is None:
            requester = None  # an unknown recipient id decides nothing
        sid = body.get("student_id")
        student = self.students.get(sid) if sid else None
        fields = body.get("fields") or []
        if isinstance(fields, dict) and "all_fields_of" in fields:
            fields = sorted(self.students[fields["all_fields_of"]].field_names)
        ids = list(body.get("consent_ids") or []) + ([body["consent_id"]] if body.get("consent_id") else [])
        reports = tuple(r for r in self.reports.values() if r.student_id == sid)
        request = f.RequestFacts(
            purpose=body.get("purpose", ""), fields=tuple(fields), caller=caller, requester=requester,
            recipient=recipient, destination=body.get("destination"), channel=body.get("channel", "api"),
            identified_by=body.get("identified_by", "name"), case_id=body.get("case_id"),
            population=(body.get("population") or "unspecified") if sid is None else None,
            incident=self.incidents.get(body.get("incident_id") or ""), incident_id_given=bool(body.get("incident_id")),
            emergency=self.emergencies.get(body.get("emergency_id") or ""),
            emergency_id_given=bool(body.get("emergency_id")),
            consents=tuple(self.consents[c] for c in ids if c in self.consents), consent_id_given=bool(ids),
            legal_order=self.orders.get(body.get("legal_order_id") or ""),
            legal_order_id_given=bool(body.get("legal_order_id")),
            report=self.reports.get(body.get("report_id") or ""), report_id_given=bool(body.get("report_id")),
            services_notice_on_file=any(r.kind == "SERVICES_NOTICE" for r in reports),
            student_emergencies=tuple(e for e in self.emergencies.values() if sid in e.student_ids),
            student_reports=reports,
            # Suites state the earlier request's purpose and restrictions directly (R-USE-3).
            reuse_of_purpose=body.get("reuse_of_purpose"),
            reuse_of_restrictions=tuple(body.get("reuse_of_restrictions") or ()),
        )
        return f.DecisionContext(self.now, self.district, student, request)


def _replace(obj: Any, **changes: Any) -> Any:
    from dataclasses import replace

    return replace(obj, **changes)
