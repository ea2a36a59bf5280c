"""Reading a OneRoster CSV bundle: size and encoding checks, strict CSV parsing, required columns, duplicate ids.

Every refusal is a BundleError naming the file, the line and the column. The trap: messages must never echo a cell,
because the cell may be a student's name or date of birth and the error ends up in a terminal or a CI log.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 25 * 1024 * 1024
SUPPORTED_VERSIONS = ("1.1", "1.2")
MAX_COLUMN_NAME = 200
# OneRoster puts vendor extensions under `metadata.*`; anything outside this alphabet is renamed so the field name is
# a clean audit token (the audit guard refuses whitespace in field names).
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.\-]")


class ImportRefusedError(Exception):
    """The import cannot run; nothing was written."""


class BundleError(ImportRefusedError):
    """Bad input. Names where (file, line, column), never what the cell held."""

    def __init__(self, file: str, message: str, *, line: int | None = None, column: str | None = None,
                 column_number: int | None = None) -> None:
        self.file, self.line, self.column, self.message = file, line, column, message
        where = file
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column_number} ({column})" if column_number else f", column {column}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Row:
    file: str
    line: int
    cells: dict[str, str]
    columns: tuple[str, ...]

    def get(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()

    def error(self, column: str, message: str) -> BundleError:
        number = self.columns.index(column) + 1 if column in self.columns else None
        return BundleError(self.file, message, line=self.line, column=column, column_number=number)


@dataclass(frozen=True)
class Table:
    file: str
    columns: tuple[str, ...]
    rows: list[Row]


def safe_column_name(column: str) -> str:
    return _UNSAFE_NAME.sub("_", column.strip())


def read_text(path: Path) -> str:
    name = path.name
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise BundleError(name, f"the file is {size / 1024 / 1024:.1f} MB; files over 25 MB are refused")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise BundleError(name, f"not UTF-8 (bad byte at byte {column} of the line)", line=line) from exc


def read_table(path: Path, required: Iterable[str], unique: str | None = "sourcedId") -> Table:
    """Parse one CSV file. `required` columns must be in the header; `unique` values must not repeat."""
    name = path.name
    text = read_text(path)
    reader = csv.reader(_lines(text), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise BundleError(name, "the file is empty (a header row is required)", line=1)
        columns = tuple(h.strip() for h in header)
        for i, column in enumerate(columns):
            if not column or len(column) > MAX_COLUMN_NAME:
                raise BundleError(name, f"column names must have 1 to {MAX_COLUMN_NAME} characters", line=1,
                                  column=f"#{i + 1}")
            if column in columns[:i]:
                raise BundleError(name, "column appears twice", line=1, column=column, column_number=i + 1)
        for column in required:
            if column not in columns:
                raise BundleError(name, "required column is missing from the header", line=1, column=column)
        rows: list[Row] = []
        seen: dict[str, int] = {}
        start = reader.line_num + 1
        for cells in reader:
            line = start
            start = reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(columns):
                raise BundleError(name, f"{len(cells)} values for {len(columns)} columns", line=line)
            row = Row(name, line, dict(zip(columns, cells, strict=False)), columns)
            if unique is not None:
                key = row.get(unique)
                if not key:
                    raise row.error(unique, "a value is required")
                if key in seen:
                    raise row.error(unique, f"duplicate sourcedId (first on line {seen[key]})")
                seen[key] = line
            rows.append(row)
    except csv.Error as exc:
        raise BundleError(name, f"malformed CSV ({exc})", line=reader.line_num) from exc
    return Table(name, columns, rows)


def _lines(text: str) -> Iterator[str]:
    # csv wants the newline characters kept so quoted multi-line cells and line numbers come out right.
    yield from text.splitlines(keepends=True)


@dataclass(frozen=True)
class Manifest:
    version: str
    files: dict[str, str]  # file stem -> bulk | delta | absent


def read_manifest(directory: Path) -> Manifest:
    path = directory / "manifest.csv"
    if not path.is_file():
        raise BundleError("manifest.csv", "the bundle has no manifest.csv")
    table = read_table(path, ("propertyName", "value"), unique="propertyName")
    props = {row.get("propertyName"): row for row in table.rows}
    version_row = props.get("oneroster.version")
    if version_row is None:
        raise BundleError("manifest.csv", "no oneroster.version row", column="propertyName")
    version = version_row.get("value")
    if version not in SUPPORTED_VERSIONS:
        raise version_row.error("value", "unsupported oneroster.version (1.1 and 1.2 are supported)")
    manifest_row = props.get("manifest.version")
    if manifest_row is not None and manifest_row.get("value") != "1.0":
        raise manifest_row.error("value", "unsupported manifest.version (1.0 is supported)")
    files: dict[str, str] = {}
    for key, row in props.items():
        if key.startswith("file."):
            mode = row.get("value")
            if mode not in ("bulk", "delta", "absent"):
                raise row.error("value", "must be bulk, delta or absent")
            files[key.removeprefix("file.")] = mode
    return Manifest(version, files)
