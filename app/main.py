"""The app factory: create_app(settings) wires the engine, policy, record store and routers onto app.state.

Start-up refuses a missing or malformed policy directory (the vocabulary and the policy engine both load here)."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.api.admission import AdmissionMiddleware
from app.api.limits import BodyLimitMiddleware
from app.api.routers import admin, audit, disclosures, health, legal_bases, policy, users
from app.audit import repository as audit_repository
from app.audit.keys import load_digest_key, prepare_keys
from app.auth import lifespan as auth_lifespan
from app.config import Settings, get_settings
from app.db.session import make_engine, make_sessionmaker
from app.domain import policy_versions
from app.domain.disclosures.gate import Gate
from app.errors import install_handlers
from app.policy.engine import PolicyEngine
from app.policy.vocabulary import load_vocabulary
from app.records.local import LocalRecordStore
from app.web.app import install as install_pages

log = logging.getLogger(__name__)


def _generic_phrases(policy_dir: Path) -> list[str]:
    raw = yaml.safe_load((policy_dir / "emergency_generic.yaml").read_text(encoding="utf-8"))
    phrases = raw.get("phrases") if isinstance(raw, dict) else raw
    if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
        raise ValueError(f"{policy_dir}/emergency_generic.yaml must list phrases")
    return phrases


def _pool_options(settings: Settings) -> dict[str, Any]:
    """Each admitted request holds at most one connection at a time (its session closes before a refusal is audited
    in a new one), the refusal writer one more, and /readyz is admitted like any request: max_in_flight + 2 never
    wait. The overflow is a margin that should stay unused; a checkout that still waits gives up well before 30 s."""
    if settings.database_url in ("sqlite://", "sqlite:///:memory:"):
        return {}  # one shared in-memory connection: no pool to size
    return {"pool_size": settings.max_in_flight + 2, "max_overflow": settings.max_in_flight, "pool_timeout": 10}


def audit_log_is_empty(session_factory: sessionmaker[Session]) -> bool:
    """A new installation: the only state in which a missing deployment key may be created (app/audit/keys.py)."""
    with session_factory() as session:
        return audit_repository.is_empty(session)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    clock.configure(settings.env, settings.clock_start)
    vocabulary = load_vocabulary(settings.policy_dir)
    policy_engine = PolicyEngine.load(settings.policy_dir)
    engine = make_engine(settings.database_url, **_pool_options(settings))
    session_factory = make_sessionmaker(engine)
    prepare_keys(settings.digest_key_file, settings.signing_key_file, lambda: audit_log_is_empty(session_factory))
    gate = Gate(policy=policy_engine, records=LocalRecordStore, digest_key=load_digest_key(settings.digest_key_file))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        policy_versions.keep_loaded(session_factory, settings.policy_dir, policy_engine.version)
        # The compiled policy and the imported modules live as long as the process: keep them out of every garbage
        # collection, which otherwise rescans them and slows each request.
        gc.freeze()
        async with auth_lifespan.running(app):
            yield
        engine.dispose()

    app = FastAPI(title="Gatekeeper", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    app.state.vocabulary = vocabulary
    app.state.policy = policy_engine
    app.state.policy_version = policy_engine.version
    app.state.generic_phrases = _generic_phrases(settings.policy_dir)
    app.state.gate = gate
    auth_lifespan.install(app, settings, session_factory)
    install_handlers(app)
    app.add_middleware(BodyLimitMiddleware)
    # Added last, so it runs first: a request waits for its slot before anything else touches it.
    app.add_middleware(AdmissionMiddleware, session_factory=session_factory, max_in_flight=settings.max_in_flight,
                       max_queued=settings.max_queued, queue_timeout_s=settings.queue_timeout_s,
                       retry_after_s=settings.retry_after_s)
    for router in (health.router, admin.router, users.router, legal_bases.router, disclosures.router, audit.router,
                   policy.router):
        app.include_router(router)
    install_pages(app)  # the pages for people (app/web/), on the same services as the routers above
    return app
