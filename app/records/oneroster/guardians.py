"""Guardians and their links to children: created, renamed, linked and, when the roster no longer holds them, ended.

A link the import made carries `"source": "oneroster"`; a link the district set by hand (PUT /api/v1/users) does
not, and keeps its relationship and rights_limited flag. What ends a link:
- its student is ended by this import (left the roster, or a tobedeleted row), whoever made the link;
- its guardian is ended: a tobedeleted row, or, under a bulk users.csv, a guardian with imported links that the file
  no longer lists (every link of that account goes, hand-set ones too: the SIS says this person is no guardian here);
- under a bulk users.csv, an imported link the file no longer holds.
The account row stays (its id is in the audit history and in requests); it simply has no children left, and a
parent without a link to a student reads nothing of that student. A delta file only adds links, apart from its
tobedeleted rows. Audit entries list ids only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.policy.vocabulary import Vocabulary
from app.records.oneroster import repository as repo
from app.records.oneroster.bundle import Bundle, ParentRec

SOURCE = "oneroster"
BATCH = 500


@dataclass
class GuardianChanges:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ended: int = 0
    links_removed: int = 0
    audits: list[dict[str, Any]] = field(default_factory=list)


def write_guardians(session: Session, bundle: Bundle, district_id: str, vocab: Vocabulary,
                    ended_students: Collection[str]) -> GuardianChanges:
    """`ended_students`: the district's students this import ends; every link to them goes."""
    out = GuardianChanges()
    stored = repo.guardian_rows(session, district_id, [*bundle.parents, *bundle.links])
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    created_ids: list[str] = []
    updated_ids: list[str] = []
    ended_ids: list[str] = []
    removed_links: list[list[str]] = []
    ended = set(ended_students)
    for parent_id in sorted(set(stored) | set(bundle.parents) | set(bundle.links)):
        rec = bundle.parents.get(parent_id)
        user = stored.get(parent_id)
        if user is not None and (rec is not None or parent_id in bundle.links):
            _check(rec, user, district_id, parent_id)
        if user is None:
            if rec is None:
                continue  # a delta link to a known guardian always finds its row; nothing else lands here
            children, _ = _relinked([], bundle.links.get(parent_id, []), rec.relationship, ended, False, bundle.is_bulk)
            inserts.append({"id": parent_id, "district_id": district_id, "name": rec.name, "role": "parent",
                            "title": None, "affiliation": None, "agency_type": vocab.default_agency("parent"),
                            "school_ids": [], "sro_certified_until": None, "mou_contact": False,
                            "declared_relationships": [], "student_ids": [c["student_id"] for c in children],
                            "children": children})
            created_ids.append(parent_id)
            continue
        if rec is None and (user["role"] != "parent" or user["district_id"] != district_id):
            continue  # not this district's guardian: never touched
        old = [dict(c) for c in user["children"] or []]
        guardian_ended = parent_id in bundle.ended_parents or (
            bundle.is_bulk and rec is None and any(c.get("source") == SOURCE for c in old))
        relationship = rec.relationship if rec is not None else "parent"
        children, removed = _relinked(old, bundle.links.get(parent_id, []), relationship, ended, guardian_ended,
                                      bundle.is_bulk)
        gone = {c["student_id"] for c in removed}
        student_ids = list(dict.fromkeys([*(s for s in user["student_ids"] or [] if s not in gone),
                                          *(c["student_id"] for c in children)]))
        name = rec.name if rec is not None else user["name"]
        if (name, children, student_ids) == (user["name"], old, user["student_ids"] or []):
            if rec is not None:
                out.unchanged += 1
            continue
        updates.append({"id": parent_id, "name": name, "district_id": district_id, "children": children,
                        "student_ids": student_ids})
        removed_links.extend([parent_id, c["student_id"]] for c in removed)
        if guardian_ended:
            ended_ids.append(parent_id)
        elif rec is not None or parent_id in bundle.links:
            updated_ids.append(parent_id)
    repo.insert_users(session, inserts)
    repo.update_users(session, updates)
    out.created, out.updated, out.ended = len(created_ids), len(updated_ids), len(ended_ids)
    out.links_removed = len(removed_links)
    # One config.changed per batch (ids listed), not per guardian: each append is several round trips under the
    # chain-head lock, and 10,000 guardians would double the import time.
    for kind, ids in (("created", created_ids), ("updated", updated_ids), ("ended", ended_ids)):
        for start in range(0, len(ids), BATCH):
            out.audits.append({"entity": "user", "ids": ids[start:start + BATCH], "created": kind == "created",
                               "ended": kind == "ended", "role": "parent", "source": SOURCE})
    for start in range(0, len(removed_links), BATCH):
        out.audits.append({"entity": "parent_link", "removed": removed_links[start:start + BATCH],
                           "source": SOURCE})
    return out


def _relinked(children: list[dict[str, Any]], held: list[str], relationship: str, ended_students: set[str],
              guardian_ended: bool, bulk: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(links kept or added, links removed). A held link is the import's from now on; its flags are kept."""
    held_set = set(held)
    kept: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    for link in children:
        student_id = link.get("student_id")
        if guardian_ended or student_id in ended_students:
            removed.append(link)
        elif student_id in held_set:
            kept.append({**link, "source": SOURCE})
        elif bulk and link.get("source") == SOURCE:
            removed.append(link)
        else:
            kept.append(link)
    linked = {c.get("student_id") for c in kept}
    kept.extend({"student_id": s, "relationship": relationship, "rights_limited": False, "source": SOURCE}
                for s in held if s not in linked)
    return kept, removed


def _check(rec: ParentRec | None, user: dict[str, Any], district_id: str, parent_id: str) -> None:
    if rec is None:
        return
    if user["role"] != "parent":
        raise rec.row.error("sourcedId", f"this id is already a Gatekeeper {user['role']} account")
    if user["district_id"] not in (None, district_id):
        raise rec.row.error("sourcedId", "this parent id belongs to another district")
