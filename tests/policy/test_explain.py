"""`gatekeeper policy explain`: the whole policy in plain language, generated from policies/ (issue 13, item 4)."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.policy.engine import PolicyEngine, PolicyError
from app.policy.explain import Policy, document, load_policy, render_html, render_markdown, rule_places
from app.policy.rules_catalogue import FIELD_DECIDING, NOT_FIELD_DECIDING

PROJECT = Path(__file__).resolve().parents[2]
POLICIES = PROJECT / "policies"
RULES_MD = PROJECT.parent / "shared" / "RULES.md"
RULE_HEADING = re.compile(r"^\*\*(R-[A-Z0-9]+-[A-Z0-9]+) — ", re.MULTILINE)
SECTION_HEADING = re.compile(r"^### 2\.\d+ .*\(([^)]*)\)\s*$", re.MULTILINE)
# The sections of RULES.md section 2 whose rules decide field outcomes (release, withhold, approval, hold, a reason):
# gatekeeper-wide, records, school-official status, purpose, 37L, consent, emergencies, orders, directory,
# privileged/97, use limits and approvals. The log, audit, notification, reporting and retention sections record or
# notify what was decided.
DECISION_GROUPS = frozenset({"R-GATE", "R-REC", "R-SO", "R-LEI", "R-37L", "R-CON", "R-EMG", "R-LGL", "R-DIR", "R-PRV",
                             "R-SUD", "R-USE", "R-APR"})
# Field-deciding rules that neither bases.yaml nor policy.csv names today: request-level checks (R-GATE-2 atomic
# decision, R-LEI-4 under 12, R-USE-3 reuse), classification (R-REC-2/5/6/8/9), approvals (R-GATE-3, R-APR-3/4/5),
# obligations (R-USE-1/2) and R-SUD-2, decided in app/policy/ and app/domain/disclosures/ (reported on issue 13).
# `policy explain` lists them as decided in the service; this set may only shrink.
DECIDED_IN_CODE = frozenset({
    "R-GATE-2", "R-GATE-3", "R-REC-2", "R-REC-5", "R-REC-6", "R-REC-8", "R-REC-9", "R-LEI-4", "R-SUD-2", "R-USE-1",
    "R-USE-2", "R-USE-3", "R-APR-3", "R-APR-4", "R-APR-5",
})
runner = CliRunner()


@cache
def shipped() -> Policy:
    return load_policy(POLICIES)


@cache
def markdown() -> str:
    return render_markdown(document(shipped()))


@cache
def html() -> str:
    return render_html(document(shipped()))


def field_deciding_rules_of_rules_md() -> frozenset[str]:
    """Field-deciding rule ids of ../shared/RULES.md: every `**R-XXX-N — ...**` heading in a decision section of
    section 2 (DECISION_GROUPS: the sections whose rules give a field its outcome or a reason; RULES.md 1.6 steps 1-4
    without the record keeping), less the rules whose text decides no field outcome (authentication, channels,
    version binding, what counts as a record, consent and emergency record keeping, order retention, audit-only use
    limits, approval roles; rules_catalogue.NOT_FIELD_DECIDING, chosen in issue 4). That is issue 13's 77 rules."""
    if not RULES_MD.is_file():
        pytest.skip("../shared/RULES.md is not beside the project")
    text = RULES_MD.read_text(encoding="utf-8")
    starts = [(m.start(), {g.strip() for g in m.group(1).split(",")}) for m in SECTION_HEADING.finditer(text)]
    rules: set[str] = set()
    for m in RULE_HEADING.finditer(text):
        groups = next((g for start, g in reversed(starts) if start < m.start()), set())
        if m.group(1).rsplit("-", 1)[0] in groups & DECISION_GROUPS:
            rules.add(m.group(1))
    return frozenset(rules - NOT_FIELD_DECIDING)


def mentions(text: str, rule: str) -> bool:
    return re.search(re.escape(rule) + r"(?![0-9A-Za-z])", text) is not None


def test_rules_md_field_deciding_rules_are_the_engines() -> None:
    assert field_deciding_rules_of_rules_md() == frozenset(FIELD_DECIDING)
    assert len(FIELD_DECIDING) == 77


def test_every_field_deciding_rule_is_in_the_catalogue_or_the_table() -> None:
    rules = field_deciding_rules_of_rules_md()
    missing = rules - set(rule_places(shipped()))
    assert missing == DECIDED_IN_CODE, f"newly missing: {sorted(missing - DECIDED_IN_CODE)}; now in the policy "\
        f"(remove from DECIDED_IN_CODE): {sorted(DECIDED_IN_CODE - missing)}"


def test_every_field_deciding_rule_is_in_the_explanation() -> None:
    rules = field_deciding_rules_of_rules_md()
    assert [r for r in sorted(rules) if not mentions(markdown(), r)] == []
    assert [r for r in sorted(rules) if not mentions(html(), r)] == []


def test_names_every_bar_basis_purpose_row_field_and_the_version() -> None:
    policy, md = shipped(), markdown()
    assert f"Policy version: {policy.engine.version}." in md
    for bar in policy.bases.bars:
        assert f"\n### Bar {bar}\n" in md
    for token, basis in policy.bases.bases.items():
        assert f"\n### Basis {token}\n" in md and basis.citation in md
    for condition in policy.bases.conditions.values():
        assert condition.says in md
    for purpose in policy.purposes.all_purposes():
        assert f"\n| {purpose} | " in md
    for row in policy.engine.rows():
        assert f"\n| {row.priority} | {row.rule} | " in md
    for name in policy.fields.fields:
        assert f"\n| {name} | " in md
    for version in policy.engine.notice_versions():
        assert f"- {version}: " in md
    assert "Lifted only by these bases:" in md and "(W_37L)" in md


def test_row_notes_come_from_policy_csv() -> None:
    md = markdown()
    assert "| 451 | R-37L-X2 | R-37L-X2 / s.37L(ii): specific informed written consent naming the category and " \
           "recipient |" in md
    assert "released after approval by principal or designee" in md


def test_no_python_names_in_the_output() -> None:
    for text in (markdown(), html()):
        for word in ("None", "True", "False", "frozenset", "dict(", "tuple(", "<tags of attr>", "Basis(", "Row("):
            assert word not in text, word


def test_html_is_well_formed_without_external_assets() -> None:
    page = html()
    assert page.startswith("<!DOCTYPE html>")
    root = ET.fromstring(page.split("\n", 1)[1])
    assert root.tag == "html"
    assert len(root.findall(".//table")) >= 10
    assert not re.search(r"\b(src|href)=", page) and "http" not in page.split("<body>")[0]


def test_a_new_basis_lists_no_bar_and_html_escapes_its_text(tmp_path: Path) -> None:
    copy = tmp_path / "policies"
    shutil.copytree(POLICIES, copy)
    bases = copy / "bases.yaml"
    bases.write_text(bases.read_text() + "  mou_share:\n    rules: [R-SO-1]\n"
                     "    citation: MOU <script>alert('x')</script> & VI.A\n    resolver: path\n"
                     "    conditions: [requester_school_official]\n")
    policy = (copy / "policy.csv").read_text()
    (copy / "policy.csv").write_text(policy.replace("\n# ---- Groups ----", "p, 456, R-SO-1, *, *, *, mou_share, "
                                                    "allow, release\n\n# ---- Groups ----"))
    sections = document(load_policy(copy))
    md, page = render_markdown(sections), render_html(sections)
    new = md.split("\n### Basis mou_share\n", 1)[1].split("\n### ", 1)[0]
    assert "Lifts no bar: every bar stays closed for this basis." in new
    assert "row 456 (R-SO-1): recipients any; field tags any; purposes any: released, no approval needed" in new
    assert "<script>" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; VI.A" in page
    ET.fromstring(page.split("\n", 1)[1])


def test_cli_prints_markdown_and_writes_html(tmp_path: Path) -> None:
    result = runner.invoke(app, ["policy", "explain", "--policy-dir", str(POLICIES)])
    assert result.exit_code == 0, result.output
    assert result.output == markdown()
    out = tmp_path / "policy.html"
    result = runner.invoke(app, ["policy", "explain", "--format", "html", "--policy-dir", str(POLICIES),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == html() and result.output == ""


def test_cli_refuses_an_unknown_format_or_a_bad_policy(tmp_path: Path) -> None:
    assert runner.invoke(app, ["policy", "explain", "--format", "pdf"]).exit_code == 2
    result = runner.invoke(app, ["policy", "explain", "--policy-dir", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "policy error" in result.output


def test_each_rule_has_its_plain_title_in_the_index() -> None:
    assert "| R-LEI-5 | Relevance to the stated purpose |" in markdown()


def test_a_rule_without_a_title_or_an_unknown_one_is_refused(tmp_path: Path) -> None:
    for name, edit in (("missing", lambda t: t.replace('R-LEI-5: "Relevance to the stated purpose"\n', "")),
                       ("unknown", lambda t: t + 'R-LEI-99: "Not a rule"\n')):
        copy = tmp_path / name
        shutil.copytree(POLICIES, copy)
        (copy / "rules.yaml").write_text(edit((POLICIES / "rules.yaml").read_text()))
        with pytest.raises(PolicyError, match="R-LEI-5" if name == "missing" else "R-LEI-99"):
            PolicyEngine.load(copy)
