"""The app factory: create_app(settings) wires the engine, policy, record store and routers onto app.state.

Start-up refuses a missing or malformed policy directory (the vocabulary and the policy engine both load here)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import clock
from app.api.limits import BodyLimitMiddleware
from app.api.routers import admin, health
from app.audit.service import append_in_new_transaction
from app.config import Settings, get_settings
from app.db.session import make_engine, make_sessionmaker
from app.errors import install_handlers
from app.policy.version import policy_version
from app.policy.vocabulary import load_vocabulary
from app.records.local import LocalRecordStore

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    clock.configure(settings.env, settings.clock_start)
    vocabulary = load_vocabulary(settings.policy_dir)
    version = policy_version(settings.policy_dir)
    engine = make_engine(settings.database_url)
    session_factory = make_sessionmaker(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        append_in_new_transaction(session_factory, "policy.loaded", actor_id="gatekeeper",
                                  data={"policy_version": version}, policy_version=version)
        yield
        engine.dispose()

    app = FastAPI(title="Gatekeeper", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    app.state.vocabulary = vocabulary
    app.state.policy_version = version
    app.state.record_store = LocalRecordStore()
    install_handlers(app)
    app.add_middleware(BodyLimitMiddleware)
    app.include_router(health.router)
    app.include_router(admin.router)
    return app
