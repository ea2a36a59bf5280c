"""`gatekeeper audit verify|checkpoint`: thin wrappers over verify_chain and create_checkpoint.

The lead mounts this with `app.add_typer(audit_app, name="audit")`. `verify` exits 0 only for an intact chain that
matches the given checkpoint; 1 when it does not; 2 when the checkpoint file cannot be read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from app.config import get_settings

audit_app = typer.Typer(help="Verify the audit chain and write signed checkpoints.", no_args_is_help=True)

CLI_ACTOR = "cli"


def _read_checkpoint(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        typer.echo(f"cannot read checkpoint {path}: {type(exc).__name__}", err=True)
        raise typer.Exit(2) from exc
    if not isinstance(loaded, dict):
        typer.echo(f"{path} does not hold a checkpoint object", err=True)
        raise typer.Exit(2)
    return loaded


@audit_app.command("verify")
def verify(
    checkpoint: Annotated[Path | None, typer.Option("--checkpoint", help="A signed checkpoint file to match")] = None,
    from_checkpoint: Annotated[bool, typer.Option(help="Check only the entries after the checkpoint")] = False,
    workers: Annotated[int, typer.Option(min=1, help="Processes that hash ranges of a long chain at once")] = (
        os.cpu_count() or 1),
) -> None:
    """Walk the whole chain; exit 0 only if it is intact (and matches the checkpoint, signature included)."""
    # Imported here: every `gatekeeper` command loads this module, and these pull in the database and crypto stacks.
    from app.audit.keys import load_or_create_signing_key
    from app.audit.verify import verify_chain
    from app.db.session import make_engine, make_sessionmaker

    settings = get_settings()
    anchor = _read_checkpoint(checkpoint) if checkpoint is not None else None
    public_key = load_or_create_signing_key(settings.signing_key_file).public_key() if anchor else None
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            result = verify_chain(session, checkpoint=anchor, public_key=public_key,
                                  from_checkpoint=from_checkpoint and anchor is not None, workers=workers)
            session.rollback()
    finally:
        engine.dispose()
    typer.echo(json.dumps(result.as_dict(), indent=2))
    raise typer.Exit(0 if result.ok else 1)


@audit_app.command("checkpoint")
def checkpoint(
    out: Annotated[Path | None, typer.Option("--out", help="Write the checkpoint here (default: stdout only)")] = None,
) -> None:
    """Verify, sign the chain head, store the checkpoint and print it (and write it to --out)."""
    from app.audit.checkpoints import create_checkpoint
    from app.audit.keys import load_or_create_signing_key
    from app.db.session import make_engine, make_sessionmaker

    settings = get_settings()
    private_key = load_or_create_signing_key(settings.signing_key_file)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            signed = create_checkpoint(session, private_key, actor_id=CLI_ACTOR)
            session.commit()
    except Exception as exc:
        typer.echo(f"checkpoint refused: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    text = json.dumps(signed, indent=2) + "\n"
    if out is not None:
        out.write_text(text, encoding="utf-8")
    typer.echo(text, nl=False)
