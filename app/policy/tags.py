"""Field catalogue: a stored field name -> its tags and traits (RULES.md section 1.4, policies/fields.yaml).

A name the catalogue cannot classify gets the single tag UNCLASSIFIED and is never released (R-GATE-1). Sources
change tags: a clinician or sole-possession source makes a field privileged (R-PRV-1, R-REC-2); `leu_report:*` is an
LEU record only with an `leu` source and a designated unit (R-REC-3).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from app.policy.table import PolicyError

UNCLASSIFIED = "UNCLASSIFIED"
MEMO_TAG = "PRIVILEGED_MEMO"  # internal refinement of PRIVILEGED for R-PRV-1(b) memos
_PLACEHOLDER = {
    "date": r"(?P<{0}>\d{{4}}-\d{{2}}-\d{{2}})",
    "id": r"(?P<{0}>[A-Za-z0-9_.\-]+)",
    "section": r"(?P<{0}>[A-Za-z0-9_.\-]+)",
    "relation": r"(?P<{0}>[A-Za-z0-9_.\-]+)",
    "attr": r"(?P<{0}>[A-Za-z0-9_.\-]+)",
}
_KNOWN_TAGS = frozenset({
    "DIRECTORY", "ORDINARY", "DISABILITY", "DISABILITY_STATUS", "PRIVILEGED", "SUD97", "IMMIGRATION", "CITIZENSHIP",
    "NEIGHBORHOOD", "NATIONAL_ORIGIN", "NATIONAL_ORIGIN_PROXY", "ETHNICITY", "RELIGION", "GANG", "LEU",
})
CATEGORY_OF_TAG = {
    "IMMIGRATION": "IMMIGRATION", "CITIZENSHIP": "CITIZENSHIP", "NEIGHBORHOOD": "NEIGHBORHOOD",
    "NATIONAL_ORIGIN": "NATIONAL_ORIGIN", "NATIONAL_ORIGIN_PROXY": "NATIONAL_ORIGIN", "ETHNICITY": "ETHNICITY",
    "RELIGION": "RELIGION", "GANG": "GANG",
}


@dataclass(frozen=True)
class FieldInfo:
    name: str
    base: str  # the parent of a :masked / :redacted sibling, else the name itself
    sibling: str | None
    tags: frozenset[str]
    directory_type: bool = False  # on the Massachusetts 603 CMR 23.07(4)(a) list
    names_students: bool = False
    full_document: bool = False
    memo: bool = False
    scope_of: str | None = None  # attendance_detail:<date> -> attendance_detail
    params: tuple[tuple[str, str], ...] = field(default=())
    medical: bool = False  # medical details: for EMS/medical responders, not police (R-EMG-9)
    # Derived once here (a FieldInfo is cached per name by FieldCatalogue.classify), read by every resolver.
    categories_37l: frozenset[str] = field(init=False, compare=False, repr=False)
    sorted_tags: tuple[str, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories_37l",
                           frozenset(CATEGORY_OF_TAG[t] for t in self.tags if t in CATEGORY_OF_TAG))
        object.__setattr__(self, "sorted_tags", tuple(sorted(self.tags)))

    def param(self, key: str) -> str | None:
        return dict(self.params).get(key)


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    spec: dict[str, Any]


def _compile_pattern(text: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[a-z_]+\})", text)
    out = []
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            kind = part[1:-1]
            if kind not in _PLACEHOLDER:
                raise PolicyError(f"fields.yaml: unknown placeholder {part} in {text}")
            out.append(_PLACEHOLDER[kind].format(kind))
        else:
            if "{" in part or "}" in part or not re.fullmatch(r"[A-Za-z0-9_:.\-]*", part):
                raise PolicyError(f"fields.yaml: malformed pattern {text}")
            out.append(re.escape(part))
    return re.compile("".join(out) + r"\Z")


class FieldCatalogue:
    def __init__(self, spec: dict[str, Any]) -> None:
        try:
            self.directory_list = frozenset(spec["massachusetts_directory_list"])
            self.fields: dict[str, frozenset[str]] = {
                name: frozenset(v["tags"]) for name, v in (spec.get("fields") or {}).items()
            }
            self.patterns = [_Pattern(_compile_pattern(p["pattern"]), dict(p)) for p in spec.get("patterns") or []]
            self.privileged_sources = frozenset(spec.get("privileged_sources") or ())
            self.suffixes = tuple(spec.get("sibling_suffixes") or ("masked", "redacted"))
            self.medical = frozenset(spec.get("medical_fields") or ())
            # Per instance, so a reloaded catalogue never answers from another one's cache.
            self._classify_cached = lru_cache(maxsize=16384)(self._classify)
        except (KeyError, TypeError, AttributeError) as exc:
            raise PolicyError(f"fields.yaml is malformed: {exc}") from exc
        for name, tags in self.fields.items():
            if not tags or not tags <= _KNOWN_TAGS:
                raise PolicyError(f"fields.yaml: {name} has unknown tags {sorted(tags - _KNOWN_TAGS)}")
        for p in self.patterns:
            ptags = set(p.spec.get("tags") or ()) | set(p.spec.get("otherwise") or ())
            if not ptags <= _KNOWN_TAGS or (not ptags and not p.spec.get("family")):
                raise PolicyError(f"fields.yaml: pattern {p.spec['pattern']} has bad tags")

    def all_tags(self) -> frozenset[str]:
        tags: set[str] = set()
        for t in self.fields.values():
            tags |= t
        for p in self.patterns:
            tags |= set(p.spec.get("tags") or ()) | set(p.spec.get("otherwise") or ())
        return frozenset(tags)

    def tag_map(self) -> dict[str, list[str]]:
        """Name or pattern -> tags, for GET /api/v1/policy."""
        out = {name: sorted(tags) for name, tags in self.fields.items()}
        for p in self.patterns:
            out[p.spec["pattern"]] = sorted(p.spec.get("tags") or ["<tags of attr>"])
        return out

    def classify(self, name: str, sources: Mapping[str, str] | None = None, leu_designated: bool = False) -> FieldInfo:
        """The name's tags and traits. Depends only on the name, its own and its base's source and whether the
        district designated a law-enforcement unit, so the answer is memoised on exactly those (lru_cache is
        thread-safe and the catalogue is immutable after load)."""
        base = self._base(name) if ":" in name else name  # siblings are "<base>:<suffix>"
        if not sources:
            return self._classify_cached(name, None, None, leu_designated)
        return self._classify_cached(name, sources.get(name), sources.get(base), leu_designated)

    def _base(self, name: str) -> str:
        for suffix in self.suffixes:
            if name.endswith(":" + suffix):
                return name[: -len(suffix) - 1]
        return name

    def _classify(self, name: str, name_source: str | None, base_source: str | None, leu_designated: bool) -> FieldInfo:
        base, sibling = name, None
        for suffix in self.suffixes:
            if name.endswith(":" + suffix):
                base, sibling = name[: -len(suffix) - 1], suffix
                break
        info = self._classify_base(base, base_source, leu_designated)
        source = name_source or base_source
        tags: frozenset[str] = info.tags
        if source in self.privileged_sources and UNCLASSIFIED not in tags and not info.memo:
            tags = tags | frozenset({"PRIVILEGED"})
        return FieldInfo(name, base, sibling, tags, info.directory_type, info.names_students, info.full_document,
                         info.memo, info.scope_of, info.params, medical=base in self.medical)

    def _classify_base(self, base: str, source: str | None, leu_designated: bool) -> FieldInfo:
        if base in self.fields:
            return FieldInfo(base, base, None, self.fields[base], directory_type=base in self.directory_list)
        for p in self.patterns:
            m = p.regex.match(base)
            if not m:
                continue
            params = tuple(sorted(m.groupdict().items()))
            spec = p.spec
            if spec.get("family"):
                attr = m.group("attr")
                cats = {t for t in self.fields.get(attr, frozenset()) if t in CATEGORY_OF_TAG}
                if attr not in self.fields:
                    return FieldInfo(base, base, None, frozenset({UNCLASSIFIED}))
                return FieldInfo(base, base, None, frozenset(cats or {"ORDINARY"}), params=params)
            tags = frozenset(spec.get("tags") or ())
            required = spec.get("requires_source")
            if required and not (source == required and leu_designated):
                tags = frozenset(spec.get("otherwise") or {UNCLASSIFIED})
            memo = bool(spec.get("memo"))
            if memo:
                tags = (tags - {"PRIVILEGED"}) | {MEMO_TAG}
            section = m.groupdict().get("section")
            return FieldInfo(base, base, None, tags, names_students=bool(spec.get("names_students")),
                             full_document=section in (spec.get("full_sections") or ()), memo=memo,
                             scope_of=spec.get("scope_of"), params=params)
        return FieldInfo(base, base, None, frozenset({UNCLASSIFIED}))
