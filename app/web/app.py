"""install(app): the pages' routers, static files and refusal handlers on the FastAPI app (create_app calls it)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.web import admin, audit, family, home, oidc, oidc_config, requests
from app.web.caller import install_handlers
from app.web.render import HERE
from app.web.session import derive_key


def install(app: FastAPI) -> None:
    oidc_config.check_trusted(app.state.settings)
    app.state.web_key = derive_key(app.state.gate.digest_key)
    install_handlers(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in (home.router, oidc.router, requests.router, family.router, audit.router, admin.router):
        app.include_router(router)
