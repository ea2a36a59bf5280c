"""The `gatekeeper demo` command's logic: secret, migration, demo data, tokens and curl examples.

Serving is the CLI's `serve` (the caller runs it next): the generated secret reaches the server through
GATEKEEPER_JWT_SECRET in os.environ, which is also how the uvicorn factory's Settings find it.
"""

from __future__ import annotations

import json
import os
import secrets

import typer

from app import clock
from app.audit.cli import keys_of_a_new_installation
from app.auth.tokens import issue
from app.config import Settings, get_settings
from app.db.migrate import upgrade
from app.db.session import make_engine, make_sessionmaker
from app.demo import data
from app.demo.setup import PRINCIPAL, SRO, USERS, DemoResult, create_demo
from app.policy.vocabulary import load_vocabulary

TOKEN_TTL = 12 * 3600


def demo_settings() -> Settings:
    """Settings for the demo; generates GATEKEEPER_JWT_SECRET when it is not set (tokens then last one run)."""
    if not os.environ.get("GATEKEEPER_JWT_SECRET"):
        os.environ["GATEKEEPER_JWT_SECRET"] = secrets.token_urlsafe(48)
    get_settings.cache_clear()  # `serve` reads get_settings(); it must see the secret set above
    return Settings(demo=True)


def build_demo(settings: Settings) -> DemoResult:
    """Migrate the configured database and create (or reuse) the demo district; no serving, no printing."""
    upgrade(settings.database_url)
    keys_of_a_new_installation(settings)  # before the demo district's first audit entries
    clock.configure(settings.env, settings.clock_start)
    vocab = load_vocabulary(settings.policy_dir)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            return create_demo(session, vocab, clock.now().date())
    finally:
        engine.dispose()


def tokens(settings: Settings) -> dict[str, str]:
    return {user_id: issue(user_id, settings, TOKEN_TTL) for user_id in USERS}


def _var(user_id: str) -> str:
    return user_id.removeprefix("demo-").upper() + "_TOKEN"


def request_body(example: str) -> dict[str, object]:
    """The SRO's request body for one of the three printed examples."""
    fields, purpose, incident = EXAMPLES[example]
    body: dict[str, object] = {"student_id": data.AGGRESSOR, "purpose": purpose, "fields": fields,
                               "justification": "demo"}
    if incident:
        body["incident_id"] = data.INCIDENT_ID
    return body


# A request linking an incident gets no directory basis (R-DIR-3), so the two directory examples link none.
EXAMPLES: dict[str, tuple[list[str], str, bool]] = {
    "allowed": (["name", "grade_level"], "IMMEDIATE_SAFETY", False),
    "redacted": (["name", "grade_level", "home_address"], "IMMEDIATE_SAFETY", False),
    "pending": (["class_schedule"], "LE_RESPONSE", True),
}


def curl_examples(base: str) -> str:
    post = f"curl -s -X POST {base}/api/v1/disclosure-requests -H 'Content-Type: application/json'"
    allowed, redacted, pending = (json.dumps(request_body(name)) for name in EXAMPLES)
    return "\n".join([
        "# 1. Allowed: designated directory fields, released without approval",
        f"{post} -H \"Authorization: Bearer ${_var(SRO)}\" -d '{allowed}'",
        "",
        "# 2. Redacted: the home address is directory information, but withheld from police (c.71 s.37L, W_37L)",
        f"{post} -H \"Authorization: Bearer ${_var(SRO)}\" -d '{redacted}'",
        "",
        "# 3. Pending: the class schedule (for the incident) needs the principal's approval; the principal approves",
        f"REQ=$({post} -H \"Authorization: Bearer ${_var(SRO)}\" -d '{pending}' "
        "| python3 -c 'import json,sys; print(json.load(sys.stdin)[\"id\"])')",
        f"curl -s -X POST {base}/api/v1/disclosure-requests/$REQ/approve -H 'Content-Type: application/json' "
        f"-H \"Authorization: Bearer ${_var(PRINCIPAL)}\" -d '{{\"note\": \"approved for the incident\"}}'",
    ])


def prepare_demo(host: str, port: int) -> DemoResult:
    settings = demo_settings()
    result = build_demo(settings)
    state = "created" if result.created else "reused (refreshed for this school year)" if result.refreshed \
        else "reused"
    typer.echo(f"Demo district '{data.DISTRICT_ID}' {state} in {settings.database_url}: "
               f"{data.STUDENT_COUNT} synthetic students, incident {data.INCIDENT_ID}.\n")
    typer.echo("# Bearer tokens (valid 12 hours, signed with this run's GATEKEEPER_JWT_SECRET):")
    for user_id, token in tokens(settings).items():
        typer.echo(f"export {_var(user_id)}={token}")
    typer.echo("")
    typer.echo(curl_examples(f"http://{host}:{port}"))
    typer.echo("")
    typer.echo(f"# Or open http://{host}:{port}/ in a browser and sign in as one of the demo users.")
    typer.echo("")
    return result
