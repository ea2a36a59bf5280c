"""`gatekeeper audit verify|verify-export|checkpoint` and `gatekeeper keys init|rotate|public`: thin wrappers.

`verify` and `verify-export` exit 0 only for an intact chain (or export) that matches the given checkpoint; 1 when it
does not; 2 when a file cannot be read. Neither ever creates a key: a checkpoint is checked with a public key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from app.config import Settings, get_settings

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


def _public_keys(public_key: Path | None) -> dict[str, Any]:
    """The given public key, or else the deployment's current and retired ones. Never creates a key."""
    from app.audit.keys import KeyFileError, key_id, known_public_keys, load_public_key

    try:
        if public_key is not None:
            key = load_public_key(public_key)
            return {key_id(key): key}
        return known_public_keys(get_settings().signing_key_file)
    except KeyFileError as exc:
        typer.echo(f"{exc}; give the published key with --public-key", err=True)
        raise typer.Exit(2) from exc


PublicKeyOption = Annotated[Path | None, typer.Option(
    "--public-key", help="The published public key (PEM) to check the checkpoint with; no private key needed")]


@audit_app.command("verify")
def verify(
    checkpoint: Annotated[Path | None, typer.Option("--checkpoint", help="A signed checkpoint file to match")] = None,
    public_key: PublicKeyOption = None,
    from_checkpoint: Annotated[bool, typer.Option(help="Check only the entries after the checkpoint")] = False,
    workers: Annotated[int, typer.Option(min=1, help="Processes that hash ranges of a long chain at once")] = (
        os.cpu_count() or 1),
) -> None:
    """Walk the whole chain; exit 0 only if it is intact (and matches the checkpoint, signature included)."""
    # Imported here: every `gatekeeper` command loads this module, and these pull in the database and crypto stacks.
    from app.audit.verify import VerifyResult, verify_chain
    from app.db.session import make_engine, make_sessionmaker

    settings = get_settings()
    anchor = _read_checkpoint(checkpoint) if checkpoint is not None else None
    key = _public_keys(public_key).get(str(anchor.get("key_id"))) if anchor is not None else None
    if anchor is not None and key is None:
        refused = VerifyResult(False, 0, {}, None, "checkpoint_mismatch",
                               f"no public key with id {anchor.get('key_id')} to check the checkpoint with")
        typer.echo(json.dumps(refused.as_dict(), indent=2))
        raise typer.Exit(1)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            result = verify_chain(session, checkpoint=anchor, public_key=key,
                                  from_checkpoint=from_checkpoint and anchor is not None, workers=workers)
            session.rollback()
    finally:
        engine.dispose()
    typer.echo(json.dumps(result.as_dict(), indent=2))
    raise typer.Exit(0 if result.ok else 1)


@audit_app.command("verify-export")
def verify_export_file(
    export: Annotated[Path, typer.Argument(help="A JSONL export (GET /api/v1/audit/export?format=jsonl)")],
    public_key: Annotated[Path, typer.Option("--public-key", help="The published public key (PEM)")],
    checkpoint: Annotated[Path | None, typer.Option("--checkpoint", help="A signed checkpoint file")] = None,
    complete: Annotated[bool, typer.Option(help="The export is the whole log (a platform admin's): a missing seq "
                                                "is a gap, not another district's entry")] = False,
) -> None:
    """Verify an export (and a checkpoint) with the public key alone: no database, no private key, nothing
    written. Exit 0 if intact, 1 if not, 2 if a file cannot be read."""
    from app.audit.keys import KeyFileError, load_public_key
    from app.audit.offline import verify_export

    anchor = _read_checkpoint(checkpoint) if checkpoint is not None else None
    try:
        key = load_public_key(public_key)
        with export.open(encoding="utf-8") as lines:
            result = verify_export(lines, key, anchor, complete=complete)
    except (KeyFileError, OSError, UnicodeDecodeError) as exc:
        typer.echo(f"cannot verify: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(json.dumps(result.as_dict(), indent=2))
    raise typer.Exit(0 if result.ok else 1)


@audit_app.command("checkpoint")
def checkpoint(
    out: Annotated[Path | None, typer.Option("--out", help="Write the checkpoint here (default: stdout only)")] = None,
) -> None:
    """Verify, sign the chain head, store the checkpoint and print it (and write it to --out)."""
    from app.audit.checkpoints import create_checkpoint
    from app.audit.keys import load_signing_key, retired_public_keys
    from app.db.session import make_engine, make_sessionmaker

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        private_key = load_signing_key(settings.signing_key_file)
        with make_sessionmaker(engine)() as session:
            signed = create_checkpoint(session, private_key, actor_id=CLI_ACTOR,
                                       retired_keys=retired_public_keys(settings.signing_key_file))
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


keys_app = typer.Typer(help="The deployment's signing and digest keys.", no_args_is_help=True)


def log_is_empty(settings: Settings | None = None) -> bool:
    from app.db.session import make_engine, make_sessionmaker
    from app.main import audit_log_is_empty

    engine = make_engine((settings or get_settings()).database_url)
    try:
        return audit_log_is_empty(make_sessionmaker(engine))
    finally:
        engine.dispose()


def keys_of_a_new_installation(settings: Settings) -> list[Path]:
    """`db upgrade` and the demo on an empty audit log create the deployment keys, as `keys init` would; once the
    log has entries a missing key is left for the operator to restore (the service then refuses to start)."""
    from app.audit.keys import init_keys

    return init_keys(settings.digest_key_file, settings.signing_key_file) if log_is_empty(settings) else []


@keys_app.command("init")
def keys_init() -> None:
    """Create the keys of a new installation (mode 0600). Refuses to replace a key the audit log already relies
    on: restore that one from backup."""
    from app.audit.keys import KeyFileError, prepare_keys

    settings = get_settings()
    try:
        created = prepare_keys(settings.digest_key_file, settings.signing_key_file, log_is_empty)
    except KeyFileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo("\n".join(f"created {p}" for p in created) or "both keys are in place")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Replace the checkpoint signing key; the retired public key is kept so earlier checkpoints still verify.
    Audited as audit.key_rotated."""
    from app import clock
    from app.audit.keys import KeyFileError, rotate_signing_key
    from app.audit.service import append_in_new_transaction
    from app.db.session import make_engine, make_sessionmaker

    settings = get_settings()
    try:
        retired, current = rotate_signing_key(settings.signing_key_file, clock.now)
    except KeyFileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    engine = make_engine(settings.database_url)
    try:
        append_in_new_transaction(make_sessionmaker(engine), "audit.key_rotated", actor_id=CLI_ACTOR,
                                  data={"retired_key_id": retired, "key_id": current})
    finally:
        engine.dispose()
    typer.echo(json.dumps({"retired_key_id": retired, "key_id": current}))


@keys_app.command("public")
def keys_public(
    retired: Annotated[bool, typer.Option("--retired", help="Also print every retired public key")] = False,
) -> None:
    """Print the signing key's public half (PEM): what an auditor needs to verify checkpoints offline."""
    from app.audit.keys import KeyFileError, load_signing_key, public_pem, retired_public_keys

    settings = get_settings()
    try:
        keys = [load_signing_key(settings.signing_key_file).public_key()]
    except KeyFileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    if retired:
        keys += list(retired_public_keys(settings.signing_key_file).values())
    typer.echo("".join(public_pem(k) for k in keys), nl=False)
