"""The legal table compiled into an immutable lookup (no casbin here; engine.py reads the rows through casbin).

pycasbin's enforce() re-parses its matcher per call and is not thread-safe, so the rows are expanded once, at load,
to every attribute tuple they cover. The semantics mirror the model exactly: rows in priority order (stable for ties),
each column either "*" or a name that matches itself or any member of that group; the first matching row decides,
and every matching withhold row is kept so a withheld field can report all of its reasons (API.md section 7).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import product

Key = tuple[str, str, str, str]  # (status, tag, purpose, basis)


class PolicyError(Exception):
    """The policy directory is invalid; the service must refuse to start."""


@dataclass(frozen=True)
class Row:
    priority: int
    rule: str
    status: str
    tag: str
    purpose: str
    basis: str
    eft: str
    outcome: str

    @classmethod
    def parse(cls, values: list[str]) -> Row:
        if len(values) != 8:
            raise PolicyError(f"policy row needs 8 columns: {values}")
        prio, rule, status, tag, purpose, basis, eft, outcome = (v.strip() for v in values)
        if eft not in ("allow", "deny"):
            raise PolicyError(f"row {rule}: effect must be allow or deny, not {eft}")
        if not (outcome == "release" or outcome.startswith(("withhold:W_", "approve:", "hold/W_"))):
            raise PolicyError(f"row {rule}: malformed outcome {outcome}")
        if (eft == "deny") != outcome.startswith("withhold:"):
            raise PolicyError(f"row {rule}: a deny row must withhold and an allow row must not")
        try:
            priority = int(prio)
        except ValueError as exc:
            raise PolicyError(f"row {rule}: priority {prio} is not an integer") from exc
        return cls(priority, rule, status, tag, purpose, basis, eft, outcome)

    def as_list(self) -> list[str]:
        return [str(self.priority), self.rule, self.status, self.tag, self.purpose, self.basis, self.eft, self.outcome]


@dataclass(frozen=True)
class Verdict:
    """What the table says about one tuple: the deciding row (None: nothing matched) and the withhold rows."""

    row: Row | None
    withholds: tuple[Row, ...]

    @property
    def outcome(self) -> str:
        return self.row.outcome if self.row else "withhold:W_NO_BASIS"

    @property
    def rule(self) -> str:
        return self.row.rule if self.row else "R-GATE-1"


_DEFAULT = Verdict(None, ())


class CompiledTable:
    """Immutable tuple -> Verdict map. Lookups are one dict access and safe from any number of threads."""

    def __init__(self, table: Mapping[Key, Verdict], domains: Mapping[str, frozenset[str]]) -> None:
        self._table = dict(table)
        self.domains = dict(domains)

    def lookup(self, status: str, tag: str, purpose: str, basis: str) -> Verdict:
        return self._table.get((status, tag, purpose, basis), _DEFAULT)

    def __len__(self) -> int:
        return len(self._table)

    def keys(self) -> Iterable[Key]:
        return self._table.keys()


def _closure(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """group -> every name that reaches it (transitively), so a row naming a group covers all its members."""
    parents: dict[str, set[str]] = {}
    for member, group in pairs:
        parents.setdefault(member, set()).add(group)
    members: dict[str, set[str]] = {}
    for name in parents:
        seen: set[str] = set()
        todo = list(parents[name])
        while todo:
            g = todo.pop()
            if g in seen:
                continue
            seen.add(g)
            todo.extend(parents.get(g, ()))
        for g in seen:
            members.setdefault(g, set()).add(name)
    return members


def make_cover(
    groups: Mapping[str, Iterable[tuple[str, str]]],
    domains: Mapping[str, frozenset[str]],
) -> Callable[[str, str], Iterable[str]]:
    """(column, row value) -> the domain values the value matches: all for "*", else itself and its group members."""
    columns = ("status", "tag", "purpose", "basis")
    group_fn = {"status": "g", "tag": "g2", "purpose": "g3", "basis": "g4"}
    members = {col: _closure(groups.get(group_fn[col], ())) for col in columns}

    def cover(col: str, value: str) -> Iterable[str]:
        domain = domains[col]
        if value == "*":
            return domain
        return ({value} | members[col].get(value, set())) & domain

    return cover


def compile_table(
    rows: Iterable[Row],
    groups: Mapping[str, Iterable[tuple[str, str]]],
    domains: Mapping[str, frozenset[str]],
) -> CompiledTable:
    """Expand every row over the finite attribute domains (keys: status, tag, purpose, basis)."""
    cover = make_cover(groups, domains)
    ordered = sorted(rows, key=lambda r: r.priority)  # stable: file order breaks ties, as in casbin
    first: dict[Key, Row] = {}
    withholds: dict[Key, list[Row]] = {}
    for row in ordered:
        is_withhold = row.eft == "deny"
        for key in product(cover("status", row.status), cover("tag", row.tag), cover("purpose", row.purpose),
                           cover("basis", row.basis)):
            if key not in first:
                first[key] = row
            if is_withhold:
                withholds.setdefault(key, []).append(row)
    table = {k: Verdict(r, tuple(withholds.get(k, ()))) for k, r in first.items()}
    return CompiledTable(table, domains)
