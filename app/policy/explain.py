"""`gatekeeper policy explain`: the whole policy in plain language, for counsel (issue 13).

Everything is read through the engine's own loaders (PolicyEngine.load: bases.yaml, policy.csv through Casbin,
fields.yaml, purposes.yaml, notices) into one document of sections, rendered as Markdown or as HTML from a Jinja2
template (autoescaped, no external assets). Only the comment line above each policy.csv row is read from the file
itself, since Casbin drops comments.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from app.policy.bases import BasisCatalogue
from app.policy.engine import STATUSES, CasbinOracle, PolicyEngine
from app.policy.purposes import PurposeRow, PurposeTable
from app.policy.rules_catalogue import FIELD_DECIDING
from app.policy.table import Row, make_cover
from app.policy.tags import FieldCatalogue

FORMATS = ("md", "html")
TITLE = "Gatekeeper disclosure policy"
STATUS_WORDS = {
    "school_official": "an SRO or MOU VI.A contact who meets every school-official condition (R-SO-1)",
    "sro_not_official": "an SRO or MOU VI.A contact without school-official status (R-SO-3)",
    "le_other": "any other law-enforcement recipient",
    "gang_db": "a gang-tracking database",
    "school": "district staff",
    "non_le": "a recipient that is not law enforcement",
}
STEP_WORDS = {
    "order": "a court order or subpoena on file",
    "emergency": "a declared health or safety emergency",
    "consent": "a written consent",
    "report": "a report or finding on file (51A report, weapon report, germane finding, clinician flag)",
    "leu": "a record of the district's law-enforcement unit",
    "directory": "directory information",
    "path": "the school-official, district-staff and state-reporting paths",
}


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = str | Table | tuple[str, ...]  # a paragraph, a table or a bulleted list


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...] = ()
    children: tuple[Section, ...] = field(default=())


@dataclass(frozen=True)
class Policy:
    """What the explanation is made of, as the engine loaded it."""

    engine: PolicyEngine
    groups: dict[str, list[tuple[str, str]]]
    comments: dict[tuple[int, str], str]

    def cover(self, col: str, value: str) -> Iterable[str]:
        """The statuses, tags or purposes a table value matches (itself and its group members)."""
        return self._cover(col, value)

    @functools.cached_property
    def _cover(self) -> Callable[[str, str], Iterable[str]]:
        return make_cover(self.groups, self.engine.table.domains)

    @property
    def bases(self) -> BasisCatalogue:
        return self.engine.bases

    @property
    def purposes(self) -> PurposeTable:
        return self.engine.components.purposes

    @property
    def fields(self) -> FieldCatalogue:
        return self.engine.components.catalogue


def load_policy(policy_dir: Path) -> Policy:
    engine = PolicyEngine.load(policy_dir)
    groups = CasbinOracle(Path(policy_dir), engine.bases).groups()
    return Policy(engine, groups, _row_comments(Path(policy_dir) / "policy.csv"))


def _row_comments(csv: Path) -> dict[tuple[int, str], str]:
    """(priority, rule) of each row -> the comment line written above it."""
    out: dict[tuple[int, str], str] = {}
    comment = ""
    for line in csv.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text.startswith("#"):
            comment = text.lstrip("#").strip()
        elif text.startswith("p,"):
            row = Row.parse(text.split(",")[1:])
            out[(row.priority, row.rule)] = comment
            comment = ""
        else:
            comment = ""
    return out


def _join(names: Iterable[str], last: str) -> str:
    """a, b or c"""
    items = list(names)
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def outcome_words(outcome: str) -> str:
    if outcome == "release":
        return "released, no approval needed"
    if outcome.startswith("withhold:"):
        return f"withheld ({outcome.split(':', 1)[1]})"
    if outcome.startswith("hold/"):
        return f"held until the parent-notice period has run ({outcome.split('/', 1)[1]})"
    roles, _, waiting = outcome.split(":", 1)[1].partition("/")
    words = f"released after approval by {_join(roles.split('|'), 'or')}"
    return f"{words} (waits as {waiting})" if waiting else words


def _column(policy: Policy, col: str, value: str) -> str:
    if value == "*":
        return "any"
    members = sorted(set(policy.cover(col, value)) - {value})
    return f"{value} ({', '.join(members)})" if members else value


def _basis_words(policy: Policy, value: str) -> str:
    bar = policy.bases.bar_of_group(value)
    if bar is not None:
        return f"any basis that does not lift bar {bar.name}"
    return "any" if value == "*" else value


def _row_line(policy: Policy, row: Row) -> str:
    return (f"row {row.priority} ({row.rule}): recipients {_column(policy, 'status', row.status)}; field tags "
            f"{_column(policy, 'tag', row.tag)}; purposes {_column(policy, 'purpose', row.purpose)}: "
            f"{outcome_words(row.outcome)}")


def _version(policy: Policy) -> Section:
    return Section("Policy version", (
        f"Policy version: {policy.engine.version}.",
        "The version is a fingerprint of every file of the policy directory. Each decision records the version it "
        "was made under; any change to any policy file gives a new version.",
    ))


def _how(policy: Policy) -> Section:
    steps = tuple(f"{STEP_WORDS.get(s, s)} (step “{s}”)" for s in policy.bases.resolution_order)
    statuses = Table(("recipient status", "meaning"),
                     tuple((s, STATUS_WORDS.get(s, s)) for s in sorted(STATUSES)))
    groups = Table(("group", "members"), tuple(
        (name, ", ".join(sorted(m for m, g in pairs if g == name)))
        for key in ("g", "g2", "g3") for pairs in (policy.groups.get(key, []),)
        for name in sorted({g for _, g in pairs})))
    return Section("How a field is decided", (
        "Every requested field is decided on its own. The service works out four facts: the recipient's status, "
        "the field's tags (field catalogue), the purpose, and the legal basis that covers the field. The legal "
        "table is then read in priority order; the first row that matches decides. A field no row matches is "
        "withheld (W_NO_BASIS, R-GATE-1: deny by default).",
        "For each field the bases are tried in this order; the first that covers the field decides it, and every "
        "one tried before it that failed is reported as a reason:",
        steps,
        statuses,
        "Groups used in the table (a row naming a group matches each member):",
        groups,
    ))


def _bars(policy: Policy) -> Section:
    children = []
    for bar in policy.bases.bars.values():
        rows = [r for r in policy.engine.rows() if r.basis == bar.group]
        lifters = [b for b in policy.bases.bases.values() if bar.name in b.lifts]
        blocks: list[Block] = [f"{bar.says[0].upper()}{bar.says[1:]}. Rule {bar.rule}.",
                               "Applies to:", tuple(_row_line(policy, r) for r in rows),
                               f"Exception rules that may lift it: {', '.join(sorted(bar.exceptions))}."]
        if lifters:
            blocks += ["Lifted only by these bases:", Table(("basis", "exception rule", "citation"), tuple(
                (b.token, b.lifts[bar.name], b.citation) for b in lifters))]
        else:
            blocks.append("No basis lifts this bar: it stays closed.")
        children.append(Section(f"Bar {bar.name}", tuple(blocks)))
    return Section("Bars", (
        "A bar withholds a field whatever the approvers decide (R-GATE-3). A bar is lifted only by a basis that "
        "lists it, with one of the bar's exception rules. A bar that no basis lists stays closed: a basis added "
        "without naming any bar, and a field that no basis covers, leave every bar closed.",
    ), tuple(children))


def _bases(policy: Policy) -> Section:
    conditions = policy.bases.conditions
    children = []
    for basis in policy.bases.bases.values():
        rows = [r for r in policy.engine.rows() if r.basis == basis.token]
        lifts = tuple(f"bar {bar} by rule {rule}" for bar, rule in basis.lifts.items())
        blocks: list[Block] = [
            f"Citation: {basis.citation}.", f"Rules: {', '.join(basis.rules)}.",
            f"Found by step “{basis.resolver}”: {STEP_WORDS.get(basis.resolver, basis.resolver)}.",
            "Conditions, all of which must hold:",
            tuple(f"{c}: {conditions[c].says} ({', '.join(conditions[c].rules)})" for c in basis.conditions),
            "Lifts:" if lifts else "Lifts no bar: every bar stays closed for this basis.",
        ]
        if lifts:
            blocks.append(lifts)
        blocks += ["Outcome:", tuple(_row_line(policy, r) for r in rows) or ("no row: withheld (W_NO_BASIS)",)]
        children.append(Section(f"Basis {basis.token}", tuple(blocks)))
    return Section("Legal bases", (
        "Each basis below is one value of the table's basis column. A basis ending in “_lift” is the same basis "
        "where it also supplies a section 37L exception (a law-enforcement recipient and a 37L field).",
    ), tuple(children))


def _conditions(policy: Policy) -> Section:
    used = {c: [b.token for b in policy.bases.bases.values() if c in b.conditions] for c in policy.bases.conditions}
    return Section("Conditions", ("What each named condition means, and which bases require it:", Table(
        ("condition", "meaning", "rules", "required by"),
        tuple((c.name, c.says, ", ".join(c.rules), ", ".join(used[c.name]) or "no basis")
              for c in policy.bases.conditions.values()))))


def _table(policy: Policy) -> Section:
    rows = sorted(policy.engine.rows(), key=lambda r: r.priority)
    return Section("The legal table", (
        "Every row of the table in priority order (a lower number is read first), with the note written above it.",
        Table(("priority", "rule", "note", "recipients", "field tags", "purposes", "basis", "outcome"), tuple(
            (str(r.priority), r.rule, policy.comments.get((r.priority, r.rule), ""), _column(policy, "status",
             r.status), _column(policy, "tag", r.tag), _column(policy, "purpose", r.purpose),
             _basis_words(policy, r.basis), outcome_words(r.outcome)) for r in rows)),
    ))


def _purpose_notes(name: str, table: PurposeTable, row: PurposeRow | None) -> str:
    notes = [text for flag, text in (
        (name in table.skip_so_test, "never uses the school-official basis"),
        (name in table.le_action, "law-enforcement action: services information may not be reused for it"),
        (row is not None and row.needs_incident, "needs a linked incident"),
        (row is not None and row.needs_case, "needs a case"),
        (row is not None and row.needs_services_notice, "waits for a services notice on file"),
        (row is not None and row.from_emergency, "fields named by the emergency declaration"),
        (row is not None and row.from_artifact, "fields named by the consent or order"),
    ) if flag]
    if row is not None and row.from_report:
        notes.append(f"fields listed by the cited {row.from_report} report")
    if row is not None and row.recipients is not None:
        notes.append(f"only toward {', '.join(sorted(row.recipients))}")
    return "; ".join(notes)


def _purpose_fields(row: PurposeRow | None) -> str:
    if row is None:
        return "none"
    text = ", ".join(sorted(row.fields)) or "none"
    for roles, extra in row.role_fields:
        text += f"; when the student is {_join(sorted(roles), 'or')}: {', '.join(sorted(extra))}"
    return text


def _purposes(policy: Policy) -> Section:
    table = policy.purposes
    kinds = (("may be stated by an SRO", table.sro_allowed), ("district-side", table.district_side),
             ("prohibited for any law-enforcement recipient (R-LEI-2)", table.prohibited))
    inc = (f"allowed: {', '.join(sorted(table.incident_allowed))}; left to the principal's judgment: "
           f"{', '.join(sorted(table.incident_judgment))}; prohibited: {', '.join(sorted(table.incident_prohibited))}")
    return Section("Purposes", (
        "The relevance matrix (R-LEI-5): for each purpose, the fields relevant to it. In a field name, "
        "{incident} stands for the linked incident and {incident_date} for its local date.",
        Table(("purpose", "kind", "relevant fields", "notes"), tuple(
            (name, kind, _purpose_fields(table.row(name)), _purpose_notes(name, table, table.row(name)))
            for kind, names in kinds for name in sorted(names))),
        f"LE_RESPONSE by the linked incident's classification (R-LEI-3): {inc}; any other classification has no "
        "basis for non-directory fields.",
        f"Student roles that make an incident the student's own misconduct (R-LEI-4): "
        f"{', '.join(sorted(table.misconduct_roles))}.",
    ))


def _pattern_notes(spec: dict[str, Any]) -> str:
    notes = []
    if spec.get("full_sections"):
        notes.append(f"full-document sections: {', '.join(map(str, spec['full_sections']))}")
    if spec.get("names_students"):
        notes.append("names every student involved: unmasked only when the basis covers them all (R-REC-9)")
    if spec.get("scope_of"):
        notes.append(f"judged as part of {spec['scope_of']}")
    if spec.get("memo"):
        notes.append("a clinician disclosure memo (R-PRV-1(b))")
    if spec.get("requires_source"):
        notes.append(f"only with source {spec['requires_source']}, otherwise "
                     f"{', '.join(map(str, spec.get('otherwise') or ()))}")
    if spec.get("family"):
        notes.append("a family member's attribute carries the attribute's section 37L tags; anything else is "
                     "ordinary")
    return "; ".join(notes)


def _fields(policy: Policy) -> Section:
    cat = policy.fields
    return Section("Field catalogue", (
        "Every stored field must be classified here; a field that is not is withheld and never released "
        "(W_UNCLASSIFIED, R-GATE-1). A field's tags decide which rows of the table apply to it.",
        Table(("field", "tags"), tuple((name, ", ".join(sorted(tags))) for name, tags in cat.fields.items())),
        "Field names with parameters ({date} is a date, the other placeholders are identifiers):",
        Table(("field name", "tags", "notes"), tuple(
            (str(p.spec["pattern"]), ", ".join(p.spec.get("tags") or ()) or "the attribute's tags",
             _pattern_notes(p.spec)) for p in cat.patterns)),
        f"Massachusetts directory list (603 CMR 23.07(4)(a)): {', '.join(sorted(cat.directory_list))}.",
        f"Medical fields, for medical responders and not police (R-EMG-9): {', '.join(sorted(cat.medical))}.",
        f"Sources that make any field privileged (R-PRV-1, R-REC-2): {', '.join(sorted(cat.privileged_sources))}.",
        f"A field name:{' or name:'.join(cat.suffixes)} is judged like its parent field.",
    ))


def _notices(policy: Policy) -> Section:
    versions = policy.engine.notice_versions()
    return Section("Redisclosure notices", (
        "Notice texts attached to releases, by version (R-USE-2):",
        tuple(f"{v}: {(policy.engine.notice_text(v) or '').strip().splitlines()[0]}" for v in versions) or ("none",),
    ))


def rule_places(policy: Policy) -> dict[str, list[str]]:
    """Rule id -> where the catalogue or the table names it."""
    places: dict[str, list[str]] = {}

    def add(rules: Iterable[str], where: str) -> None:
        for rule in rules:
            if where not in places.setdefault(rule, []):
                places[rule].append(where)

    for bar in policy.bases.bars.values():
        add([bar.rule], f"bar {bar.name}")
        add(sorted(bar.exceptions), f"exception to bar {bar.name}")
    for cond in policy.bases.conditions.values():
        add(cond.rules, f"condition {cond.name}")
    for basis in policy.bases.bases.values():
        add([*basis.rules, *basis.lifts.values()], f"basis {basis.token}")
    for row in sorted(policy.engine.rows(), key=lambda r: r.priority):
        add([row.rule], f"table row {row.priority}")
    return places


def _rule_index(policy: Policy) -> Section:
    places = rule_places(policy)
    outside = tuple(r for r in FIELD_DECIDING if r not in places)
    blocks: list[Block] = [
        "Every rule that decides a field outcome, and where this policy names it:",
        Table(("rule", "title", "where"), tuple((r, policy.engine.rule_titles[r], "; ".join(places[r]))
                                                for r in FIELD_DECIDING if r in places)),
    ]
    if outside:
        blocks += ["These rules decide fields in the service itself (request-level checks, classification, "
                   "approvals and obligations), not in the catalogue or the table:", outside]
    return Section("Rule index", tuple(blocks))


def document(policy: Policy) -> list[Section]:
    return [_version(policy), _how(policy), _bars(policy), _bases(policy), _conditions(policy), _table(policy),
            _purposes(policy), _fields(policy), _notices(policy), _rule_index(policy)]


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_section(section: Section, level: int) -> list[str]:
    out = ["#" * level + " " + section.title, ""]
    for block in section.blocks:
        if isinstance(block, Table):
            out.append("| " + " | ".join(block.headers) + " |")
            out.append("|" + "---|" * len(block.headers))
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
        elif isinstance(block, tuple):
            out += [f"- {item}" for item in block]
        else:
            out.append(block)
        out.append("")
    for child in section.children:
        out += _md_section(child, level + 1)
    return out


def render_markdown(sections: list[Section]) -> str:
    lines = [f"# {TITLE}", ""]
    for section in sections:
        lines += _md_section(section, 2)
    return "\n".join(lines).rstrip() + "\n"


_ENV = jinja2.Environment(loader=jinja2.PackageLoader("app.policy", "templates"), autoescape=True,
                          undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_html(sections: list[Section]) -> str:
    template = _ENV.get_template("explain.html")
    return template.render(title=TITLE, sections=sections, is_table=lambda b: isinstance(b, Table),
                           is_list=lambda b: isinstance(b, tuple))


def explain(policy_dir: Path, fmt: str = "md") -> str:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt}")
    sections = document(load_policy(policy_dir))
    return render_markdown(sections) if fmt == "md" else render_html(sections)
