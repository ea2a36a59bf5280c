"""The PostgreSQL role the service runs as (issue 18, item 5): it owns nothing, so it cannot disable the audit
triggers, and on the audit tables it may only read and append (the chain head row: read and advance).

`gatekeeper db grant-app-role ROLE` runs this as the owner, after `db upgrade`; docker-compose.yml does both in its
migrate service and runs the app as ROLE. SQLite has no roles (file permissions are its access control).
"""

from __future__ import annotations

from sqlalchemy import Engine, text

# The trap: a later `GRANT ... ON ALL TABLES` would hand UPDATE and DELETE on the audit tables back, so the audit
# tables' narrower grants are applied after it, every time.
_GRANTS = (
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    "REVOKE ALL ON audit_entries, audit_checkpoints, audit_chain_head FROM {role}",
    "GRANT SELECT, INSERT ON audit_entries, audit_checkpoints TO {role}",
    "GRANT SELECT, UPDATE ON audit_chain_head TO {role}",
)


def grant_app_role(engine: Engine, role: str, password: str | None) -> bool:
    """Create `role` (LOGIN, with `password`) if it does not exist, and give it exactly the service's rights.
    True if the role was created now."""
    if engine.dialect.name != "postgresql":
        raise ValueError("application roles exist only on PostgreSQL")
    with engine.begin() as conn:
        quoted = conn.dialect.identifier_preparer.quote(role)
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is not None
        if not exists:
            # CREATE ROLE takes no bind parameters: the password goes in as a quoted literal.
            literal = "'" + (password or "").replace("'", "''") + "'"
            conn.execute(text(f"CREATE ROLE {quoted} LOGIN" + (f" PASSWORD {literal}" if password else "")))
        for grant in _GRANTS:
            conn.execute(text(grant.format(role=quoted)))
    return not exists
