"""Jinja2 templates in three languages (English, Spanish, Portuguese) from gettext catalogues.

The catalogues are the .po files in app/web/locales/, compiled in memory at start-up (no binary .mo in the tree).
The language is the person's choice (a cookie, remembered a year), else the browser's Accept-Language, else English.
"""

from __future__ import annotations

import gettext
import io
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.web import words
from app.web.session import LANG_COOKIE, pre_session, set_pre_session

HERE = Path(__file__).resolve().parent
LANGUAGES = {"en": "English", "es": "Español", "pt": "Português"}
DEFAULT_LANGUAGE = "en"


def translations(lang: str) -> gettext.NullTranslations:
    path = HERE / "locales" / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT_LANGUAGE or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def in_language(request: Request, text: str) -> str:
    """`text` in the person's language where a catalogue translates it (app/web/refusals.py), else as it is. Plain
    text, not markup: the template escapes it like any value (a refusal's detail may quote what was sent)."""
    return catalogue(language_of(request)).gettext(text)


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> gettext.NullTranslations:
    return translations(lang)


@lru_cache(maxsize=len(LANGUAGES))
def environment(lang: str) -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    tr = catalogue(lang)
    env.install_gettext_translations(tr, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(LANGUAGES=LANGUAGES, lang=lang, words=words.Words(tr.gettext))
    return env


def language_of(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = language_of(request)
    page = environment(lang).get_template(template)
    values: dict[str, Any] = {"rule_titles": request.app.state.policy.rule_titles,
                              **getattr(request.state, "page", {}), **context}
    key: bytes = request.app.state.web_key
    fresh_pre = None
    if not values.get("csrf"):
        # Not signed in: the forms (sign-in, language) carry the pre-sign-in cookie's token.
        found = pre_session(key, request) or {}
        values["csrf"] = found.get("c") or secrets.token_urlsafe(24)
        fresh_pre = None if found.get("c") else {**found, "c": values["csrf"]}
    body = page.render(request=request, **values)
    response = HTMLResponse(body, status_code=status_code)
    if fresh_pre is not None:
        set_pre_session(key, request, response, fresh_pre)
    # Pages may show record values: never kept by a shared cache or the browser's back-forward store.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = ("default-src 'self'; style-src 'self'; script-src 'self'; "
                                                   "img-src 'self' data:; form-action 'self' http: https:; "
                                                   "frame-ancestors 'none'")
    return response
