"""The `gatekeeper` command line. Each command is a thin call into a service."""

from __future__ import annotations

import os
import sys
import time

import typer

from app import clock
from app.audit.cli import audit_app, keys_app, keys_of_a_new_installation
from app.config import Settings, get_settings

app = typer.Typer(help="Gatekeeper: the gate between student records and school resource officers.",
                  no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Users.", no_args_is_help=True)
token_app = typer.Typer(help="Bearer tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")


@app.callback()
def _legal_clock() -> None:
    """Before every command: configure the legal clock as the server does, so what a command stamps (user add,
    import, checkpoints, demo data) is dated on the same clock (API.md section 1). A configuration that does not
    load is left to the command, which reports it (`policy test` needs none)."""
    try:
        settings = get_settings()
    except ValueError:
        return
    clock.configure(settings.env, settings.clock_start)


def _settings() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:
        typer.echo(f"configuration error: {exc}", err=True)
        raise typer.Exit(2) from exc


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Run `alembic upgrade head` on the configured database."""
    from app.db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    typer.echo("database is at head")
    for path in keys_of_a_new_installation(settings):
        typer.echo(f"created {path}")


@db_app.command("grant-app-role")
def db_grant_app_role(role: str, password_env: str | None = typer.Option(
        None, "--password-env", help="The environment variable that holds the role's password, if it is created")
) -> None:
    """PostgreSQL: create ROLE if missing and grant it exactly what the service needs (on the audit tables only
    SELECT and INSERT). Run as the tables' owner, after `db upgrade`."""
    from app.db.roles import grant_app_role
    from app.db.session import make_engine

    engine = make_engine(_settings().database_url)
    try:
        created = grant_app_role(engine, role, os.environ.get(password_env) if password_env else None)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    typer.echo(f"{'created' if created else 'updated'} role {role}")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Migrate, then run the API under uvicorn."""
    import uvicorn

    from app.db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    # Every worker's legal clock counts from the start of `serve` (API.md section 1).
    os.environ["GATEKEEPER_CLOCK_MONO0"] = str(time.monotonic())
    # timeout_graceful_shutdown: on SIGTERM, requests still running after it are cancelled, so a loaded server
    # still ends promptly (admission keeps what runs short; the line is cancelled with them).
    uvicorn.run("app.main:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", timeout_graceful_shutdown=settings.shutdown_timeout_s)


@user_app.command("add")
def user_add(user_id: str, role: str = typer.Option(..., "--role"), name: str | None = None,
             school: list[str] = typer.Option([], "--school"), district: str | None = None) -> None:
    """Create or update a user (bootstraps the first admin)."""
    from app.db.session import make_engine, make_sessionmaker
    from app.domain.districts.schemas import UserIn
    from app.domain.districts.service import put_user
    from app.errors import GatekeeperError
    from app.policy.vocabulary import load_vocabulary

    settings = _settings()
    vocab = load_vocabulary(settings.policy_dir)
    keys_of_a_new_installation(settings)  # the first admin is often the log's first entry
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            body = UserIn(name=name or user_id, role=role, school_ids=school, district_id=district)
            put_user(session, None, user_id, body, vocab)
    except GatekeeperError as exc:
        typer.echo(f"refused: {exc.detail} {exc.errors or ''}", err=True)
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    typer.echo(f"user {user_id} ({role}) saved")


# Accounts (issue 15): user list, disable, enable, link.
def _register_user_commands() -> None:
    from app.domain.users.cli import register

    register(user_app, _settings)


_register_user_commands()


@token_app.command("issue")
def token_issue(user_id: str, ttl: int = typer.Option(3600, "--ttl", min=1)) -> None:
    """Print a signed bearer token for a user."""
    from app.auth.tokens import InvalidToken, issue

    try:
        typer.echo(issue(user_id, _settings(), ttl))
    except InvalidToken as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


policy_app = typer.Typer(help="The policy directory.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


@policy_app.command("test")
def policy_test(policy_dir: str | None = typer.Option(None, "--policy-dir")) -> None:
    """Run the policy test suites in policies/tests/; exit 0 only if every case passes."""
    from pathlib import Path

    from app.policy.suites import run_policy_suites

    # Testing the policy needs no database or secret: read only GATEKEEPER_POLICY_DIR (env="test" skips the guards).
    directory = Path(policy_dir) if policy_dir else Settings(env="test").policy_dir
    passed, failed, messages = run_policy_suites(directory)
    for message in messages:
        typer.echo(message)
    typer.echo(f"{passed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


@policy_app.command("explain")
def policy_explain(fmt: str = typer.Option("md", "--format", help="md (Markdown) or html."),
                   policy_dir: str | None = typer.Option(None, "--policy-dir"),
                   out: str | None = typer.Option(None, "--out", help="Write to this file instead of stdout.")) -> None:
    """Print the whole policy in plain language (bars, bases, table, purposes, fields, notices, version)."""
    from pathlib import Path

    from app.policy.explain import FORMATS, explain
    from app.policy.table import PolicyError

    if fmt not in FORMATS:
        typer.echo(f"--format must be one of {', '.join(FORMATS)}", err=True)
        raise typer.Exit(2)
    # Like `policy test`: no database or secret, only GATEKEEPER_POLICY_DIR.
    directory = Path(policy_dir) if policy_dir else Settings(env="test").policy_dir
    try:
        text = explain(directory, fmt)
    except PolicyError as exc:
        typer.echo(f"policy error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


@policy_app.command("diff")
def policy_diff(old_dir: str, new_dir: str) -> None:
    """Decide the decision corpus (examples, scenarios, suites, random sweep) under both policies and print every
    decision that changes, field by field; exit 0 when none does, 1 when some do, 2 when a policy does not load."""
    from pathlib import Path

    from app.policy.diff import diff_policies, render
    from app.policy.table import PolicyError

    # Like `policy test`: no database or secret.
    try:
        compared, found = diff_policies(Path(old_dir), Path(new_dir))
    except PolicyError as exc:
        typer.echo(f"policy error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(render(compared, found), nl=False)
    if found:
        raise typer.Exit(1)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


import_app = typer.Typer(help="Load student records from a student information system.", no_args_is_help=True)
app.add_typer(import_app, name="import")


@import_app.command("oneroster")
def import_oneroster(directory: str, district: str = typer.Option(..., "--district")) -> None:
    """Load a OneRoster 1.1/1.2 CSV bundle (orgs, users, demographics, enrollments) into a configured district."""
    from app.records.oneroster.command import run_import

    settings = _settings()
    keys_of_a_new_installation(settings)
    raise typer.Exit(run_import(settings, directory, district))


@app.command()
def demo(host: str = "127.0.0.1", port: int = 8000,
         no_serve: bool = typer.Option(False, "--no-serve", help="Create the demo data and print, then exit.")) -> None:
    """Create (or reuse) a demo district with synthetic students, print tokens and curl examples, then serve."""
    from app.demo.command import prepare_demo

    prepare_demo(host, port)
    if not no_serve:
        # The server reads its settings from the environment: demo mode turns on the pages' demo sign-in.
        os.environ["GATEKEEPER_DEMO"] = "true"
        get_settings.cache_clear()
        serve(host=host, port=port, workers=1)
