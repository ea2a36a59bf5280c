"""Rule ids of RULES.md section 4 (116 rules). policy.csv and the suites may name only these."""

from __future__ import annotations


def _ids(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{i}" for i in range(1, count + 1)]


RULE_IDS: tuple[str, ...] = tuple(
    _ids("R-GATE", 8) + _ids("R-REC", 9) + _ids("R-SO", 7) + _ids("R-LEI", 6)
    + _ids("R-37L", 6) + ["R-37L-G"] + [f"R-37L-X{i}" for i in range(1, 6)]
    + _ids("R-CON", 12) + _ids("R-EMG", 9) + _ids("R-LGL", 6) + _ids("R-DIR", 8)
    + _ids("R-PRV", 2) + _ids("R-SUD", 2) + _ids("R-USE", 6) + _ids("R-LOG", 8) + _ids("R-AUD", 5)
    + _ids("R-NTF", 5) + _ids("R-APR", 5) + _ids("R-RPT", 3) + _ids("R-RET", 3)
)

# Rules whose text decides no field outcome (issue 4): covered by API or audit tests, not by policy suites.
NOT_FIELD_DECIDING = frozenset({
    "R-GATE-5", "R-GATE-6", "R-GATE-8", "R-REC-1", "R-REC-4", "R-REC-7", "R-CON-8", "R-CON-9", "R-CON-12",
    "R-EMG-5", "R-EMG-6", "R-LGL-6", "R-USE-5", "R-USE-6", "R-APR-2",
})
_FIELD_GROUPS = ("R-GATE", "R-REC", "R-SO", "R-LEI", "R-37L", "R-CON", "R-EMG", "R-LGL", "R-DIR", "R-PRV", "R-SUD",
                 "R-USE", "R-APR")
FIELD_DECIDING: tuple[str, ...] = tuple(
    r for r in RULE_IDS if r.rsplit("-", 1)[0] in _FIELD_GROUPS and r not in NOT_FIELD_DECIDING
)


def parse_rule_titles(raw: object) -> dict[str, str]:
    """policies/rules.yaml: a plain-language title for every rule id, and for nothing else."""
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                            for k, v in raw.items()):
        raise ValueError("rules.yaml must map each rule id to a non-empty title")
    unknown = sorted(set(raw) - set(RULE_IDS))
    missing = [r for r in RULE_IDS if r not in raw]
    if unknown or missing:
        raise ValueError(f"rules.yaml: unknown rule ids {unknown}, rule ids without a title {missing}")
    return {rule: raw[rule].strip() for rule in RULE_IDS}
