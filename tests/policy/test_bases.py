"""The catalogue of legal bases (policies/bases.yaml): bars are lifted only by a basis that lists them (issue 13).

The defect these tests pin: with hand-written lists of the bases that do NOT lift a bar, a new basis with a release
row was in none of them and the compiled table released section 37L fields, immigration status, privileged records,
section 97 screenings and IEP content to police. Bar groups are now derived from the positive lists at load.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from app.policy import resolve
from app.policy.candidate import Candidate
from app.policy.context import Resolved
from app.policy.engine import PolicyEngine, PolicyError
from app.policy.facts import DecisionContext, RequestFacts
from app.policy.scenario import World
from app.policy.tags import FieldInfo

POLICIES = Path(__file__).resolve().parents[2] / "policies"
NOW = datetime.fromisoformat("2025-03-10T10:00:00-05:00")
WORLD = World(yaml.safe_load((POLICIES / "tests" / "fixture.yaml").read_text()), None, NOW)
LE_STATUSES = ("school_official", "sro_not_official", "le_other", "gang_db")
BARRED_FOR_POLICE = ("IMMIGRATION", "CITIZENSHIP", "NEIGHBORHOOD", "NATIONAL_ORIGIN", "ETHNICITY", "RELIGION", "GANG",
                     "NATIONAL_ORIGIN_PROXY", "PRIVILEGED", "PRIVILEGED_MEMO", "SUD97", "DISABILITY",
                     "DISABILITY_STATUS")
NEW_BASIS = """
  mou_share:
    rules: [R-SO-1]
    citation: MOU VI.A (a hypothetical new sharing clause)
    resolver: path
    conditions: [requester_school_official]
"""
NEW_ROW = "p, 456, R-SO-1, *, *, *, mou_share, allow, release\n"


def _copy(tmp_path: Path, bases_extra: str = "", csv_extra: str = "",
          edit: Callable[[str], str] | None = None) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(POLICIES, target)
    bases = target / "bases.yaml"
    text = bases.read_text() + bases_extra
    bases.write_text(edit(text) if edit else text)
    csv = target / "policy.csv"
    csv.write_text(csv.read_text() + csv_extra)
    return target


def _refused(policy_dir: Path, *words: str) -> str:
    with pytest.raises(PolicyError) as caught:
        PolicyEngine.load(policy_dir)
    message = str(caught.value)
    for word in words:
        assert word in message, message
    return message


def test_new_basis_without_bars_keeps_every_bar_closed_in_the_table(tmp_path: Path) -> None:
    engine = PolicyEngine.load(_copy(tmp_path, NEW_BASIS, NEW_ROW))
    table = engine.table
    assert table.lookup("le_other", "ORDINARY", "IMMEDIATE_SAFETY", "mou_share").outcome == "release"  # the row works
    for status in LE_STATUSES:
        for tag in BARRED_FOR_POLICE:
            for purpose in sorted(table.domains["purpose"]):
                verdict = table.lookup(status, tag, purpose, "mou_share")
                assert verdict.outcome.startswith("withhold:"), (status, tag, purpose, verdict.outcome)
    for tag in sorted(table.domains["tag"]):
        assert table.lookup("gang_db", tag, "IMMEDIATE_SAFETY", "mou_share").outcome.startswith("withhold:")
    for tag in ("PRIVILEGED", "PRIVILEGED_MEMO", "SUD97"):  # bars for every recipient, not only police
        assert table.lookup("school", tag, "IMMEDIATE_SAFETY", "mou_share").outcome.startswith("withhold:")


def _patched_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A resolver that grants the new basis for every field, as a careless new Python resolver would."""

    def grant(res: Resolved, info: FieldInfo, purposes: object) -> tuple[Candidate, list[object]]:
        return Candidate("mou_share", ("MOU_SHARE",), ("R-SO-1",)), []

    monkeypatch.setattr(resolve, "resolve_path", grant)


def _decide(engine: PolicyEngine, requester: str, student: str, fields: tuple[str, ...]) -> dict[str, str]:
    caller = WORLD.users[requester]
    ctx = DecisionContext(NOW, WORLD.district, WORLD.students[student],
                          RequestFacts("IMMEDIATE_SAFETY", fields, caller, caller))
    return {f.field: f.outcome.value + ":" + (f.reason or "") for f in engine.decide(ctx).fields}


def test_new_basis_without_bars_withholds_barred_fields_from_police(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    engine = PolicyEngine.load(_copy(tmp_path, NEW_BASIS, NEW_ROW))
    _patched_path(monkeypatch)
    police = _decide(engine, "det-1", "st-a", ("grades", "religion", "immigration_status", "counseling_notes",
                                               "sbirt_screening", "iep_status", "home_language"))
    assert police == {
        "grades": "RELEASE:",  # the new basis does release what no bar protects
        "religion": "WITHHOLD:W_37L",
        "immigration_status": "WITHHOLD:W_IMMIGRATION_MOU",
        "counseling_notes": "WITHHOLD:W_PRIVILEGED",
        "sbirt_screening": "WITHHOLD:W_SUD97",
        "iep_status": "WITHHOLD:W_IEP_CONSENT",
        "home_language": "WITHHOLD:W_37L_PROXY",
    }
    iep = _decide(engine, "det-1", "st-b", ("iep:2024-10-03:accommodations",))
    assert iep == {"iep:2024-10-03:accommodations": "WITHHOLD:W_IEP_CONSENT"}
    gang = _decide(engine, "fusion-1", "st-a", ("grades", "name"))
    assert gang == {"grades": "WITHHOLD:W_GANG_DB", "name": "WITHHOLD:W_GANG_DB"}


def test_release_row_ranked_above_a_bar_is_refused_naming_it(tmp_path: Path) -> None:
    policy = _copy(tmp_path, NEW_BASIS, "p, 105, R-SO-1, LE, *, *, mou_share, allow, release\n")
    _refused(policy, "row 105 R-SO-1", "does not lift bar", "mou_share")


def test_service_refuses_to_start_on_a_policy_that_fails_open(tmp_path: Path) -> None:
    from app.main import create_app
    from tests.factories import make_settings

    policy = _copy(tmp_path, NEW_BASIS, "p, 106, R-SO-1, LE, *, *, mou_share, allow, release\n")
    with pytest.raises(PolicyError, match="row 106 R-SO-1"):
        create_app(make_settings(f"sqlite:///{tmp_path}/g.db", tmp_path, policy_dir=policy))


def test_bar_listed_without_an_exception_rule_is_refused(tmp_path: Path) -> None:
    no_rule = NEW_BASIS + "    lifts: {37L: }\n"
    _refused(_copy(tmp_path / "a", no_rule, NEW_ROW), "basis mou_share", "bar 37L", "exception rules")
    not_an_exception = NEW_BASIS + "    lifts: {PRIV: R-SO-1}\n"  # R-SO-1 is no exception to the privilege bar
    _refused(_copy(tmp_path / "b", not_an_exception, NEW_ROW), "basis mou_share", "bar PRIV", "R-SO-1")


def test_unknown_bar_is_refused(tmp_path: Path) -> None:
    _refused(_copy(tmp_path / "a", NEW_BASIS + "    lifts: {GANG_LIST: R-37L-X2}\n", NEW_ROW),
             "basis mou_share", "unknown bar GANG_LIST")
    row = "p, 260, R-37L-3, LE, 37L, *, NOLIFT_GANG_LIST, deny, withhold:W_37L\n"
    _refused(_copy(tmp_path / "b", csv_extra=row), "row 260 R-37L-3", "unknown bar GANG_LIST")


@pytest.mark.parametrize(
    ("bases_extra", "csv_extra", "words"),
    [
        (NEW_BASIS.replace("requester_school_official", "requester_is_friendly"), NEW_ROW,
         ("basis mou_share", "unknown condition requester_is_friendly")),
        (NEW_BASIS.replace("    citation: MOU VI.A (a hypothetical new sharing clause)\n", ""), NEW_ROW,
         ("basis mou_share citation",)),
        (NEW_BASIS.replace("rules: [R-SO-1]", "rules: []"), NEW_ROW, ("basis mou_share has no rule ids",)),
        (NEW_BASIS.replace("rules: [R-SO-1]", "rules: [R-SO-99]"), NEW_ROW, ("unknown rule id R-SO-99",)),
        ("", NEW_ROW, ("row 456 R-SO-1", "basis token mou_share", "does not define")),
        (NEW_BASIS, "p, 456, R-CON-4, *, *, *, mou_share, allow, release\n", ("row 456 R-CON-4", "mou_share")),
        ("", "g4, mou_share, NOLIFT_37L\n", ("restates a bar group",)),
        ("", "p, 260, R-CON-6, LE, RELIGION, *, NOLIFT_37L, deny, withhold:W_37L\n", ("row 260", "R-37L-3")),
        (NEW_BASIS + "    auto_release: R-DIR-1\n", NEW_ROW,
         ("basis mou_share auto_release 'R-DIR-1' is not one of its rules",)),
    ],
)
def test_invalid_catalogue_is_refused(tmp_path: Path, bases_extra: str, csv_extra: str, words: tuple[str, ...]) -> None:
    _refused(_copy(tmp_path, bases_extra, csv_extra), *words)


def test_bar_without_a_row_and_bad_resolution_order_are_refused(tmp_path: Path) -> None:
    _refused(_copy(tmp_path / "a", edit=lambda t: t.replace(
        "bars:\n", "bars:\n  TRUANCY:\n    rule: R-LEI-2\n    says: a bar no row enforces\n"
                   "    exceptions: [R-CON-4]\n", 1)), "TRUANCY", "no policy.csv row")
    _refused(_copy(tmp_path / "b", edit=lambda t: t.replace(
        "resolution_order: [order, emergency, consent, report, leu, directory, path]",
        "resolution_order: [order, emergency, consent, report, path, directory, leu]")), "resolution_order")


def test_resolution_order_comes_from_the_catalogue(tmp_path: Path) -> None:
    assert PolicyEngine.load(POLICIES).components.artifact_order == ("order", "emergency", "consent", "report")
    swapped = _copy(tmp_path, edit=lambda t: t.replace("resolution_order: [order, emergency, consent,",
                                                       "resolution_order: [consent, order, emergency,"))
    assert PolicyEngine.load(swapped).components.artifact_order == ("consent", "order", "emergency", "report")


def test_every_token_of_the_table_is_catalogued() -> None:
    engine = PolicyEngine.load(POLICIES)
    bases = engine.bases
    assert engine.table.domains["basis"] == bases.tokens()
    for row in engine.rows():
        assert row.basis == "*" or row.basis in bases.bases or bases.bar_of_group(row.basis) is not None, row
    # Positive lists: a basis lifts the 37L bar only with a 37L exception, and only a _lift token or germane does.
    assert {t for t, b in bases.bases.items() if "37L" in b.lifts} == {
        t for t in bases.bases if t.endswith("_lift") or t in ("germane", "order_gang")}


def test_automatic_releases_name_the_rules_the_catalogue_gives() -> None:
    """API.md section 8: a release nobody approved names its rule; which bases do so is bases.yaml's auto_release."""
    roles = PolicyEngine.load(POLICIES).bases.roles()
    assert dict(roles.auto_release) == {"directory": "R-DIR-1", "consent": "R-CON-4", "consent_lift": "R-CON-4"}
