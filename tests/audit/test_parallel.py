"""The parallel verifier agrees with the sequential walk: same verdict, same first bad seq and problem."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from app.audit import parallel
from app.audit.verify import verify_chain
from tests.audit.conftest import dba, fill


def _verify(factory: sessionmaker[Session], **kw: Any) -> Any:
    with factory() as s:
        return verify_chain(s, batch_size=4, **kw)


@pytest.fixture(autouse=True)
def small_chains_go_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_MIN_ENTRIES", 0)


def test_an_intact_chain_verifies_on_several_workers(engine: Engine, factory: sessionmaker[Session]) -> None:
    fill(factory, 30)
    result = _verify(factory, workers=3)
    assert (result.ok, result.checked) == (True, 30)
    with factory() as s:
        assert parallel.verify_ranges_in_parallel(s, 0, "0" * 64, 30, 3, 4) == result.head["hash"]


@pytest.mark.parametrize("statement", [
    "UPDATE audit_entries SET body = replace(body, '\"name\"', '\"religion\"') WHERE seq = 17",
    "UPDATE audit_entries SET hash = prev_hash WHERE seq = 10",  # the seam between the first two ranges
    "UPDATE audit_entries SET prev_hash = hash WHERE seq = 11",
    "DELETE FROM audit_entries WHERE seq = 21",
    "DELETE FROM audit_entries WHERE seq = 30",
    "UPDATE audit_chain_head SET hash = 'f' WHERE id = 1",
])
def test_tampering_is_reported_as_the_sequential_walk_reports_it(engine: Engine, factory: sessionmaker[Session],
                                                                 statement: str) -> None:
    fill(factory, 30)
    with dba(engine) as conn:
        conn.execute(text(statement))
    sequential, in_parallel = _verify(factory), _verify(factory, workers=3)
    assert not in_parallel.ok
    assert (in_parallel.problem, in_parallel.first_bad_seq) == (sequential.problem, sequential.first_bad_seq)
