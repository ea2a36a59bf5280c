"""The `gatekeeper import oneroster` command's logic: one transaction, a progress bar on a terminal, a summary.

Output names counts, files, lines and columns only, never a record value (terminals and CI logs keep them).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from app.config import Settings
from app.db.session import make_engine, make_sessionmaker
from app.policy.vocabulary import load_vocabulary
from app.records.oneroster import ImportRefusedError, ImportSummary, import_oneroster
from app.records.oneroster.bundle import Progress as ProgressCallback


@contextmanager
def _progress(enabled: bool) -> Iterator[ProgressCallback | None]:
    if not enabled:
        yield None
        return
    tasks: dict[str, TaskID] = {}
    with Progress(TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=True) as bar:
        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        yield report


def run_import(settings: Settings, directory: str | Path, district_id: str, *,
               show_progress: bool | None = None) -> int:
    """Import and commit; returns the process exit code (0 done, 2 refused)."""
    vocab = load_vocabulary(settings.policy_dir)
    engine = make_engine(settings.database_url)
    # A bar only on an interactive terminal: CI logs get the one-line summary.
    enabled = sys.stderr.isatty() if show_progress is None else show_progress
    try:
        with _progress(enabled) as report, make_sessionmaker(engine)() as session, session.begin():
            summary = import_oneroster(session, Path(directory), district_id, vocab, report)
    except ImportRefusedError as exc:
        typer.echo(f"import refused, nothing was imported: {exc}", err=True)
        return 2
    finally:
        engine.dispose()
    typer.echo(describe(summary))
    return 0


def describe(summary: ImportSummary) -> str:
    if not summary.changed:
        return f"nothing changed ({summary.students_unchanged} students, {summary.parents_unchanged} parents)"
    text = (f"students: {summary.students_created} created, {summary.students_updated} updated, "
            f"{summary.students_unchanged} unchanged; parents: {summary.parents_created} created, "
            f"{summary.parents_updated} updated, {summary.parents_unchanged} unchanged; schools: "
            f"{summary.schools_created} created, {summary.schools_updated} updated")
    if summary.students_ended or summary.parents_ended or summary.links_removed:
        # Counts only: which students left is in the audit log (record.loaded, ended), not on a terminal.
        text += (f"; ended: {summary.students_ended} students (no longer enrolled), {summary.parents_ended} "
                 f"guardians (unlinked), {summary.links_removed} guardian links removed")
    return text
