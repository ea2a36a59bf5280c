"""The catalogue of legal bases (policies/bases.yaml) and the bar groups derived from it (issue 13).

A bar is lifted only by a basis that lists it. policy.csv's bar rows name the g4 group NOLIFT_<bar>; its members are
derived here, at load, as every basis token that does NOT list the bar, so a basis added without naming any bar falls
into every group and every bar stays closed for it. The checks below refuse a policy that could release a barred
field anyway: an unknown name, a restated group, a release row above a bar (checked over the whole compiled table).
Every named condition has exactly one function in app/policy/conditions/ and every such function is named here.
What the decision pipeline asks of a token (may police forward after it, is it an emergency, which annotation rules
it carries) is derived from the catalogue as TokenRoles, never listed in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import product
from typing import Any

from app.policy.conditions import CONDITIONS, ConditionFn
from app.policy.resolve import ARTIFACT_ORDER, FALLBACK_STEPS
from app.policy.table import CompiledTable, PolicyError, Row

NO_BASIS = "none"  # the token when no basis covers a field (fielddecide.py): never a catalogue entry, lifts nothing
BAR_GROUP_PREFIX = "NOLIFT_"
ARTIFACT_STEPS = frozenset(ARTIFACT_ORDER)
_BASIS_KEYS = frozenset({"rules", "citation", "resolver", "conditions", "lifts", "auto_release"})

Cover = Callable[[str, str], Iterable[str]]  # (column, row value) -> the domain values the value matches


@dataclass(frozen=True)
class Bar:
    name: str
    rule: str
    says: str
    exceptions: frozenset[str]

    @property
    def group(self) -> str:
        return BAR_GROUP_PREFIX + self.name


@dataclass(frozen=True)
class Condition:
    name: str
    says: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Basis:
    token: str
    rules: tuple[str, ...]
    citation: str
    resolver: str
    conditions: tuple[str, ...]
    lifts: Mapping[str, str]  # bar name -> the exception rule by which this basis lifts it
    auto_release: str | None = None  # the rule named as releasing official when nobody approved (API.md section 8)


@dataclass(frozen=True)
class BasisCatalogue:
    bases: Mapping[str, Basis]
    bars: Mapping[str, Bar]
    conditions: Mapping[str, Condition]
    resolution_order: tuple[str, ...]

    def tokens(self) -> frozenset[str]:
        """Every basis token the table is compiled over: the catalogue's and `none`."""
        return frozenset(self.bases) | {NO_BASIS}

    def lifters(self, bar: str) -> frozenset[str]:
        return frozenset(t for t, b in self.bases.items() if bar in b.lifts)

    def bar_groups(self) -> list[tuple[str, str]]:
        """The g4 pairs (token, NOLIFT_<bar>): every token that does not list the bar, `none` included."""
        return [(token, bar.group) for bar in self.bars.values()
                for token in sorted(self.tokens() - self.lifters(bar.name))]

    def bar_of_group(self, group: str) -> Bar | None:
        if not group.startswith(BAR_GROUP_PREFIX):
            return None
        return self.bars.get(group[len(BAR_GROUP_PREFIX):])

    def artifact_order(self) -> tuple[str, ...]:
        return tuple(s for s in self.resolution_order if s in ARTIFACT_STEPS)

    def carrying(self, rule: str) -> frozenset[str]:
        """The tokens whose basis names `rule` among its rules."""
        return frozenset(t for t, b in self.bases.items() if rule in b.rules)

    def resolved_by(self, step: str) -> frozenset[str]:
        return frozenset(t for t, b in self.bases.items() if b.resolver == step)

    def roles(self) -> TokenRoles:
        return TokenRoles(
            forwardable=self.carrying("R-USE-4"), emergency=self.resolved_by("emergency"),
            order=self.resolved_by("order"), report_use=self.carrying("R-37L-6"),
            diversion=self.carrying("R-CON-11"), sro_emergency=self.carrying("R-EMG-8"),
            directory=self.carrying("R-DIR-6"), directory_37l=self.carrying("R-DIR-5"),
            consent_scope=self.carrying("R-CON-4"),
            auto_release={t: b.auto_release for t, b in self.bases.items() if b.auto_release is not None})


@dataclass(frozen=True, eq=False)  # hashed by identity: memoised per-field functions take it as part of their key
class TokenRoles:
    """What the decision pipeline asks of a basis token, derived once per load from the catalogue."""

    forwardable: frozenset[str]  # R-USE-4: a police recipient may forward what these released (fielddecide)
    emergency: frozenset[str]  # the emergency resolver's: a conflict of interest does not hold them (R-SO-6, combine)
    order: frozenset[str]  # the order resolver's: a non-disclosure order annotates them (R-LGL-3, annotate)
    report_use: frozenset[str]  # R-37L-6: a statutory report's use restrictions (annotate)
    diversion: frozenset[str]  # R-CON-11: a diversion program's consent (annotate)
    sro_emergency: frozenset[str]  # R-EMG-8: emergency bases for an SRO that is not a school official (annotate)
    directory: frozenset[str]  # R-DIR-6: directory releases (annotate)
    directory_37l: frozenset[str]  # R-DIR-5: a section 37L field withheld on the directory path (annotate)
    consent_scope: frozenset[str]  # R-CON-4: a record it cannot mask is a consent-scope failure (R-REC-9, resolve)
    auto_release: Mapping[str, str]  # token -> the rule an automatic release names as its official (combine)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"bases.yaml: {where} needs a non-empty text")
    return value.strip()


def _names(value: Any, where: str, known: Iterable[str] | None = None, what: str = "name") -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"bases.yaml: {where} must be a list of names")
    if known is not None:
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise PolicyError(f"bases.yaml: {where} names unknown {what} {', '.join(unknown)}")
    return tuple(value)


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PolicyError(f"bases.yaml: {where} must be a mapping")
    return {str(k): v for k, v in value.items()}


def parse_bases(spec: Any, known_rules: Iterable[str],
                functions: Mapping[str, ConditionFn] = CONDITIONS) -> BasisCatalogue:
    """Read and check bases.yaml on its own (the checks against policy.csv are check_rows and check_bars_closed).
    `functions`: the condition functions (app/policy/conditions), which must be exactly the named conditions."""
    rules = frozenset(known_rules)
    top = _mapping(spec, "the file")
    order = _names(top.get("resolution_order"), "resolution_order")
    artifacts = tuple(s for s in order if s in ARTIFACT_STEPS)
    if sorted(artifacts) != sorted(ARTIFACT_STEPS) or order != artifacts + FALLBACK_STEPS:
        raise PolicyError(f"bases.yaml: resolution_order must list {', '.join(sorted(ARTIFACT_STEPS))} once each, "
                          f"in any order, then {', '.join(FALLBACK_STEPS)}; got {list(order)}")
    bars: dict[str, Bar] = {}
    for name, raw in _mapping(top.get("bars"), "bars").items():
        entry = _mapping(raw, f"bar {name}")
        rule = _text(entry.get("rule"), f"bar {name} rule")
        _names([rule], f"bar {name} rule", rules, "rule id")
        exceptions = _names(entry.get("exceptions"), f"bar {name} exceptions", rules, "rule id")
        if not exceptions:
            raise PolicyError(f"bases.yaml: bar {name} lists no exception rules")
        bars[name] = Bar(name, rule, _text(entry.get("says"), f"bar {name} says"), frozenset(exceptions))
    conditions: dict[str, Condition] = {}
    for name, raw in _mapping(top.get("conditions"), "conditions").items():
        entry = _mapping(raw, f"condition {name}")
        cond_rules = _names(entry.get("rules"), f"condition {name} rules", rules, "rule id")
        conditions[name] = Condition(name, _text(entry.get("says"), f"condition {name} says"), cond_rules)
    _check_functions(conditions, functions)
    bases: dict[str, Basis] = {}
    for token, raw in _mapping(top.get("bases"), "bases").items():
        bases[token] = _basis(token, _mapping(raw, f"basis {token}"), rules, bars, conditions, order)
    if NO_BASIS in bases:
        raise PolicyError(f"bases.yaml: `{NO_BASIS}` is reserved for a field no basis covers")
    return BasisCatalogue(bases, bars, conditions, order)


def _check_functions(conditions: Mapping[str, Condition], functions: Mapping[str, ConditionFn]) -> None:
    """A condition no function checks would be a promise the engine does not keep; a function no condition names
    is a check counsel cannot read."""
    unchecked = sorted(set(conditions) - set(functions))
    if unchecked:
        raise PolicyError(f"bases.yaml: conditions with no function in app/policy/conditions: {', '.join(unchecked)}")
    unnamed = sorted(set(functions) - set(conditions))
    if unnamed:
        raise PolicyError("app/policy/conditions: functions bases.yaml does not name as conditions: "
                          f"{', '.join(unnamed)}")


def _basis(token: str, entry: dict[str, Any], rules: frozenset[str], bars: Mapping[str, Bar],
           conditions: Mapping[str, Condition], order: tuple[str, ...]) -> Basis:
    where = f"basis {token}"
    extra = sorted(set(entry) - _BASIS_KEYS)
    if extra:
        raise PolicyError(f"bases.yaml: {where} has unknown keys {', '.join(extra)}")
    basis_rules = _names(entry.get("rules"), f"{where} rules", rules, "rule id")
    if not basis_rules:
        raise PolicyError(f"bases.yaml: {where} has no rule ids")
    citation = _text(entry.get("citation"), f"{where} citation")
    resolver = _text(entry.get("resolver"), f"{where} resolver")
    if resolver not in order:
        raise PolicyError(f"bases.yaml: {where} resolver {resolver} is not a step of resolution_order")
    names = _names(entry.get("conditions"), f"{where} conditions", conditions, "condition")
    lifts: dict[str, str] = {}
    for bar_name, exception in _mapping(entry.get("lifts"), f"{where} lifts").items():
        bar = bars.get(bar_name)
        if bar is None:
            raise PolicyError(f"bases.yaml: {where} lifts unknown bar {bar_name} (bars: {', '.join(sorted(bars))})")
        if not isinstance(exception, str) or exception not in bar.exceptions:
            raise PolicyError(f"bases.yaml: {where} lists bar {bar_name} without one of its exception rules "
                              f"({', '.join(sorted(bar.exceptions))}); got {exception!r}")
        lifts[bar_name] = exception
    auto = entry.get("auto_release")
    if auto is not None and auto not in basis_rules:
        raise PolicyError(f"bases.yaml: {where} auto_release {auto!r} is not one of its rules")
    return Basis(token, basis_rules, citation, resolver, names, lifts, auto)


def check_groups(catalogue: BasisCatalogue, groups: Mapping[str, Iterable[tuple[str, str]]]) -> None:
    """policy.csv may not write bar groups itself: they are derived, and a hand-written list is what failed open."""
    for member, group in groups.get("g4", ()):
        if group.startswith(BAR_GROUP_PREFIX):
            raise PolicyError(f"policy.csv: `g4, {member}, {group}` restates a bar group; bar groups are derived "
                              "from the lifts of bases.yaml")


def check_rows(catalogue: BasisCatalogue, rows: Iterable[Row]) -> None:
    """Every basis column names `*`, a catalogue token or the group of a defined bar; a bar row withholds under the
    bar's rule; a release row under a token names one of that basis's rules (or an exception rule it lifts by);
    every bar has a deny row."""
    barred: set[str] = set()
    for row in rows:
        where = f"policy.csv: row {row.priority} {row.rule}"
        if row.basis == "*":
            continue
        if row.basis.startswith(BAR_GROUP_PREFIX):
            bar = catalogue.bar_of_group(row.basis)
            if bar is None:
                raise PolicyError(f"{where} names unknown bar {row.basis[len(BAR_GROUP_PREFIX):]} "
                                  f"(bars of bases.yaml: {', '.join(sorted(catalogue.bars))})")
            if row.eft != "deny":
                raise PolicyError(f"{where} names bar group {row.basis} but does not withhold")
            if row.rule != bar.rule:
                raise PolicyError(f"{where} enforces bar {bar.name}, whose rule in bases.yaml is {bar.rule}")
            barred.add(bar.name)
            continue
        basis = catalogue.bases.get(row.basis)
        if basis is None:
            raise PolicyError(f"{where} names basis token {row.basis}, which bases.yaml does not define")
        if row.eft == "allow" and row.rule not in set(basis.rules) | set(basis.lifts.values()):
            raise PolicyError(f"{where} decides basis {row.basis} under a rule its catalogue entry does not name "
                              f"(rules: {', '.join(basis.rules)})")
    unused = sorted(set(catalogue.bars) - barred)
    if unused:
        raise PolicyError(f"bases.yaml: bars no policy.csv row withholds under: {', '.join(unused)}")


def check_bars_closed(catalogue: BasisCatalogue, rows: Iterable[Row], table: CompiledTable, cover: Cover) -> None:
    """Over the whole compiled table: no entry a bar row applies to is released, held or routed to approval under a
    basis that does not list the bar. The derived groups make the bar rows match every such entry; this catches a
    release row ranked above a bar, or any other way the table could disagree with the catalogue."""
    for bar_row in rows:
        bar = catalogue.bar_of_group(bar_row.basis)
        if bar is None or bar_row.eft != "deny":
            continue
        closed = sorted(catalogue.tokens() - catalogue.lifters(bar.name))
        for key in product(cover("status", bar_row.status), cover("tag", bar_row.tag),
                           cover("purpose", bar_row.purpose), closed):
            verdict = table.lookup(*key)
            if verdict.row is not None and verdict.row.eft == "allow":
                row = verdict.row
                raise PolicyError(
                    f"policy.csv: row {row.priority} {row.rule} ({row.outcome}) decides {key} although basis "
                    f"{key[3]} does not lift bar {bar.name} (row {bar_row.priority} {bar_row.rule}); list the bar "
                    "under the basis in bases.yaml with its exception rule, or rank the row below the bar")
