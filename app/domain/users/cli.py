"""`gatekeeper user list|disable|enable|link`: thin calls into the accounts service, as a caller of no district
(the operator at the console sees every district). Output is one line per user; refusals exit 2."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.config import Settings
from app.domain.access import EVERYWHERE

CLI_ACTOR = "cli"


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    from app.db.session import make_engine, make_sessionmaker

    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            yield session
    finally:
        engine.dispose()


def _refused(call: Callable[[], None]) -> None:
    from app.errors import GatekeeperError

    try:
        call()
    except GatekeeperError as exc:
        typer.echo(f"refused: {exc.detail} {exc.errors or ''}".rstrip(), err=True)
        raise typer.Exit(2) from exc
    except ValidationError as exc:
        typer.echo(f"refused: {exc.error_count()} invalid value(s): "
                   + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()), err=True)
        raise typer.Exit(2) from exc


def register(user_app: typer.Typer, settings: Callable[[], Settings]) -> None:
    @user_app.command("list")
    def user_list(role: str | None = None, school: str | None = None, district: str | None = None,
                  as_json: bool = typer.Option(False, "--json", help="One JSON object per line.")) -> None:
        """List users (id, role, district, schools, disabled)."""
        from app.domain.users.service import list_in

        def run() -> None:
            cursor: str | None = None
            with _session(settings()) as session:
                while True:
                    page = list_in(session, EVERYWHERE, role=role, school_id=school, district_id=district,
                                   cursor=cursor, limit=1000)
                    for u in page.users:
                        if as_json:
                            typer.echo(json.dumps(u.model_dump(mode="json"), sort_keys=True))
                        else:
                            state = "disabled" if u.disabled else "active"
                            typer.echo(f"{u.id}\t{u.role}\t{u.district_id or '-'}\t"
                                       f"{','.join(u.school_ids) or '-'}\t{state}")
                    if page.next_cursor is None:
                        break
                    cursor = page.next_cursor

        _refused(run)

    def _switch(user_id: str, disabled: bool) -> None:
        from app.domain.users.service import set_disabled

        def run() -> None:
            with _session(settings()) as session:
                set_disabled(session, CLI_ACTOR, EVERYWHERE, user_id, disabled)

        _refused(run)
        typer.echo(f"user {user_id} {'disabled' if disabled else 'enabled'}")

    @user_app.command("disable")
    def user_disable(user_id: str) -> None:
        """Disable a user: refused (401) on every route at once, also with tokens issued before."""
        _switch(user_id, True)

    @user_app.command("enable")
    def user_enable(user_id: str) -> None:
        """Enable a disabled user again."""
        _switch(user_id, False)

    @user_app.command("link")
    def user_link(user_id: str, issuer: str = typer.Option(..., "--issuer", help="The trusted issuer's iss."),
                  subject: str = typer.Option(..., "--subject", help="The value of the issuer's user claim."),
                  remove: bool = typer.Option(False, "--remove", help="Remove this identity instead.")) -> None:
        """Link an external identity (issuer, claim value) to a user, or remove the link."""
        from app.domain.users.service import link

        def run() -> None:
            with _session(settings()) as session:
                link(session, CLI_ACTOR, EVERYWHERE, user_id, issuer, subject, unlink=remove)

        _refused(run)
        typer.echo(f"identity {'removed from' if remove else 'linked to'} user {user_id}")
