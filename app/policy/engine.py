"""PolicyEngine: loads and validates policies/, compiles the Casbin table, decides. The only module importing casbin.

Casbin is the source of truth for the legal table (model.conf + policy.csv) and is used at load to read and check the
rows; the hot path never calls enforce() (slow, and not thread-safe: see issue 4). `CasbinOracle` exposes enforce_ex
for the test that proves the compiled table agrees with Casbin.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import casbin
import yaml

from app.policy.bases import BasisCatalogue, check_bars_closed, check_groups, check_rows, parse_bases
from app.policy.decide import Components, decide
from app.policy.facts import DecisionContext
from app.policy.purposes import PurposeTable
from app.policy.rules_catalogue import RULE_IDS, parse_rule_titles
from app.policy.table import CompiledTable, PolicyError, Row, compile_table, make_cover
from app.policy.tags import MEMO_TAG, UNCLASSIFIED, FieldCatalogue
from app.policy.types import Decision
from app.policy.version import policy_version

STATUSES = frozenset({"school_official", "sro_not_official", "le_other", "gang_db", "school", "non_le"})
GROUP_NAMES = ("g", "g2", "g3", "g4")
_CACHE: dict[str, tuple[CompiledTable, list[Row], BasisCatalogue]] = {}
_CACHE_LOCK = threading.Lock()
__all__ = ["CasbinOracle", "PolicyEngine", "PolicyError"]


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path.name}: {exc}") from exc


def load_bases(policy_dir: Path) -> BasisCatalogue:
    return parse_bases(_yaml(Path(policy_dir) / "bases.yaml"), RULE_IDS)


class CasbinOracle:
    """A Casbin enforcer over the policy directory, for tests and tools only (never on the request path).

    The bar groups (g4 NOLIFT_<bar>) are not in policy.csv: they are derived from bases.yaml and added to the
    enforcer here, so Casbin and the compiled table decide over the same rows and groups."""

    def __init__(self, policy_dir: Path, catalogue: BasisCatalogue | None = None) -> None:
        model, csv = policy_dir / "model.conf", policy_dir / "policy.csv"
        if not model.is_file() or not csv.is_file():
            raise PolicyError("policies/ needs model.conf and policy.csv")
        catalogue = load_bases(policy_dir) if catalogue is None else catalogue
        try:
            self.enforcer = casbin.Enforcer(str(model), str(csv))
        except Exception as exc:  # noqa: BLE001 - casbin raises bare exceptions on bad files
            raise PolicyError(f"casbin could not load the policy: {exc}") from exc
        check_groups(catalogue, self.groups())
        self.enforcer.enable_auto_save(False)  # the derived groups live in memory only, never in policy.csv
        derived = [list(pair) for pair in catalogue.bar_groups()]
        if derived:
            self.enforcer.add_named_grouping_policies("g4", derived)

    def rows(self) -> list[Row]:
        return [Row.parse([str(v) for v in r]) for r in self.enforcer.get_policy()]

    def groups(self) -> dict[str, list[tuple[str, str]]]:
        out: dict[str, list[tuple[str, str]]] = {}
        for name in GROUP_NAMES:
            pairs = self.enforcer.get_named_grouping_policy(name)
            out[name] = [(str(a).strip(), str(b).strip()) for a, b, *_ in pairs]
        return out

    def enforce_ex(self, status: str, tag: str, purpose: str, basis: str) -> tuple[bool, list[str]]:
        allowed, explain = self.enforcer.enforce_ex(status, tag, purpose, basis)
        return bool(allowed), [str(x) for x in explain]


def _validate(rows: list[Row], groups: dict[str, list[tuple[str, str]]], domains: dict[str, frozenset[str]]) -> None:
    known_rules = set(RULE_IDS)
    group_of = {"status": "g", "tag": "g2", "purpose": "g3", "basis": "g4"}
    for col, g in group_of.items():
        for member, _ in groups[g]:
            if member not in domains[col] and member not in {grp for _, grp in groups[g]}:
                raise PolicyError(f"policy.csv: {g} member {member} is not a known {col}")
    for row in rows:
        if row.rule not in known_rules:
            raise PolicyError(f"policy.csv: unknown rule id {row.rule}")
        for col, g in group_of.items():
            value = getattr(row, col)
            if value != "*" and value not in domains[col] and value not in {grp for _, grp in groups[g]}:
                raise PolicyError(f"policy.csv: row {row.rule} names unknown {col} {value}")
    named_by_row = {r.tag for r in rows}
    used = set(named_by_row)
    for member, grp in groups["g2"]:
        if grp in named_by_row:
            used.add(member)
    unused = sorted(domains["tag"] - used)
    if unused:
        raise PolicyError(f"policy.csv: tags used by no row: {unused}")


class PolicyEngine:
    """Loaded once at start-up; immutable afterwards and safe to share between threads."""

    def __init__(self, policy_dir: Path, components: Components, catalogue_spec: dict[str, Any],
                 notices: dict[str, str], generic: tuple[str, ...], rows: list[Row], bases: BasisCatalogue) -> None:
        self.policy_dir = policy_dir
        self.bases = bases
        self.version = components.version
        self._components = components
        self._notices = notices
        self.rule_titles: dict[str, str] = {}  # rule id -> its plain-language title (policies/rules.yaml)
        self._rows = rows
        self.generic_phrases = generic
        self._catalogue_spec = catalogue_spec

    @classmethod
    def load(cls, policy_dir: Path) -> PolicyEngine:
        policy_dir = Path(policy_dir)
        if not policy_dir.is_dir():
            raise PolicyError(f"{policy_dir} is not a directory")
        version = policy_version(policy_dir)
        catalogue_spec = _yaml(policy_dir / "fields.yaml")
        catalogue = FieldCatalogue(catalogue_spec if isinstance(catalogue_spec, dict) else {})
        purposes_spec = _yaml(policy_dir / "purposes.yaml")
        purposes = PurposeTable(purposes_spec if isinstance(purposes_spec, dict) else {})
        with _CACHE_LOCK:
            cached = _CACHE.get(version)
        if cached is None:
            bases = load_bases(policy_dir)
            oracle = CasbinOracle(policy_dir, bases)
            rows, groups = oracle.rows(), oracle.groups()
            check_rows(bases, rows)
            domains = {
                "status": STATUSES,
                "tag": catalogue.all_tags() | {UNCLASSIFIED, MEMO_TAG},
                "purpose": purposes.all_purposes() | {"OTHER"},
                "basis": bases.tokens(),
            }
            _validate(rows, groups, domains)
            table = compile_table(rows, groups, domains)
            check_bars_closed(bases, rows, table, make_cover(groups, domains))
            cached = (table, rows, bases)
            with _CACHE_LOCK:
                _CACHE[version] = cached
        generic_spec = _yaml(policy_dir / "emergency_generic.yaml") or {}
        generic = tuple(str(p) for p in generic_spec.get("phrases") or ())
        notices = {p.stem: p.read_text(encoding="utf-8") for p in sorted((policy_dir / "notices").glob("*.md"))}
        components = Components(cached[0], catalogue, purposes, version, cached[2].artifact_order(),
                                roles=cached[2].roles())
        try:
            titles = parse_rule_titles(_yaml(policy_dir / "rules.yaml"))
        except ValueError as exc:
            raise PolicyError(str(exc)) from exc
        engine = cls(policy_dir, components, catalogue_spec, notices, generic, cached[1], cached[2])
        engine.rule_titles = titles
        return engine

    def decide(self, ctx: DecisionContext) -> Decision:
        """Never raises: any internal error withholds every field (R-GATE-1)."""
        return decide(self._components, ctx)

    @property
    def table(self) -> CompiledTable:
        return self._components.table

    @property
    def components(self) -> Components:
        return self._components

    def field_tag(self, name: str) -> str:
        tags = self._components.catalogue.classify(name).tags
        tags = frozenset("PRIVILEGED" if t == MEMO_TAG else t for t in tags)
        for preferred in ("UNCLASSIFIED", "IMMIGRATION", "CITIZENSHIP", "NEIGHBORHOOD", "NATIONAL_ORIGIN",
                          "NATIONAL_ORIGIN_PROXY", "ETHNICITY", "RELIGION", "GANG", "PRIVILEGED", "SUD97",
                          "DISABILITY", "DISABILITY_STATUS", "LEU", "DIRECTORY"):
            if preferred in tags:
                return preferred
        return "ORDINARY"

    def rule_ids(self) -> list[str]:
        return list(RULE_IDS)

    def purposes(self) -> list[str]:
        return sorted(self._components.purposes.all_purposes())

    def field_tags(self) -> dict[str, list[str]]:
        return self._components.catalogue.tag_map()

    def reads_student_reports(self, purpose: str, fields: Sequence[str]) -> bool:
        """Whether deciding these fields for this purpose looks at the reports on file for the student: a purpose
        that waits for a services notice (R-NTF-1) or a clinician's memo (R-PRV-1(b)). Loaders skip the query
        otherwise; without the reports those rules can only wait or withhold, never release."""
        return self._reads_reports(purpose, tuple(fields))

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - one engine per process, immutable after load
    def _reads_reports(self, purpose: str, fields: tuple[str, ...]) -> bool:
        row = self._components.purposes.row(purpose)
        if row is not None and row.needs_services_notice:
            return True
        return any(self._components.catalogue.classify(name).memo for name in fields)

    def notice_text(self, version: str) -> str | None:
        return self._notices.get(version)

    def notice_versions(self) -> list[str]:
        return sorted(self._notices)

    def rows(self) -> list[Row]:
        return list(self._rows)
