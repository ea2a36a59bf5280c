"""District configuration and record loading (API.md sections 4-5): admin only. Thin: logic is in the services,
which keep a district admin inside its district (the district wall)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from app.api.deps import AdminUser, SessionDep, VocabularyDep
from app.domain.common import Id
from app.domain.districts import service as districts
from app.domain.districts.schemas import DistrictIn, SchoolIn, UserIn
from app.domain.students import service as students
from app.domain.students.schemas import IncidentIn, StudentIn

router = APIRouter(prefix="/api/v1", tags=["admin"])


def _status(response: Response, created: bool) -> None:
    response.status_code = 201 if created else 200


@router.put("/districts/{district_id}")
def put_district(district_id: Id, body: DistrictIn, admin: AdminUser, session: SessionDep, vocab: VocabularyDep,
                 response: Response) -> dict[str, Any]:
    _, created = districts.put_district(session, admin, district_id, body, vocab)
    _status(response, created)
    return {"id": district_id, **body.model_dump(mode="json")}


@router.put("/schools/{school_id}")
def put_school(school_id: Id, body: SchoolIn, admin: AdminUser, session: SessionDep,
               response: Response) -> dict[str, Any]:
    _, created = districts.put_school(session, admin, school_id, body)
    _status(response, created)
    return {"id": school_id, **body.model_dump(mode="json")}


@router.put("/users/{user_id}")
def put_user(user_id: Id, body: UserIn, admin: AdminUser, session: SessionDep, vocab: VocabularyDep,
             response: Response) -> dict[str, Any]:
    user, created = districts.put_user(session, admin, user_id, body, vocab)
    _status(response, created)
    return {"id": user_id, **body.model_dump(mode="json"), "agency_type": user.agency_type,
            "district_id": user.district_id}


@router.put("/students/{student_id}")
def put_student(student_id: Id, body: StudentIn, admin: AdminUser, session: SessionDep, vocab: VocabularyDep,
                response: Response) -> dict[str, Any]:
    student, created = students.put_student(session, admin, student_id, body, vocab)
    _status(response, created)
    # The answer names fields, never values (API.md: record values appear only in `released`).
    return {"id": student_id, "school_id": student.school_id, "district_id": student.district_id,
            "fields": sorted(body.fields)}


@router.get("/students/{student_id}")
def get_student(student_id: Id, admin: AdminUser, session: SessionDep) -> dict[str, Any]:
    return students.get_student(session, admin, student_id)


@router.put("/incidents/{incident_id}")
def put_incident(incident_id: Id, body: IncidentIn, admin: AdminUser, session: SessionDep, vocab: VocabularyDep,
                 response: Response) -> dict[str, Any]:
    _, created = students.put_incident(session, admin, incident_id, body, vocab)
    _status(response, created)
    return {"id": incident_id, "school_id": body.school_id, "classification": body.classification}
