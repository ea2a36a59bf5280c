"""Each role's main journey in a real browser (Playwright driving Debian's Chromium), signed in through a real
OpenID provider process, against a real `gatekeeper serve` on SQLite and PostgreSQL; axe-core on every page (no
serious or critical violation); a screenshot of each page under tests/web/screenshots/ (ignored by git;
GATEKEEPER_DOCS_SCREENSHOTS=1 also refreshes the few in docs/screenshots/ that the README shows)."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine

from tests.audit.conftest import dba
from tests.conftest import DIALECTS, Templates, _pg_admin, _pg_url
from tests.factories import PROJECT, token
from tests.harbor import ORDER, USERS, VALUES, request_body
from tests.live import LiveServer
from tests.web.provider import CodeProviderProcess

CHROMIUM = "/usr/bin/chromium"
SHOTS = PROJECT / "tests" / "web" / "screenshots"
DOCS = PROJECT / "docs" / "screenshots"
DOC_PAGES = {"landing", "principal-request", "sro-decision", "parent-record-es", "auditor-verify-tampered"}
AXE = Path(__import__("axe_playwright_python").__file__).with_name("axe.min.js")
PEOPLE = {"sro-1": "reyes", "prin-1": "chen", "parent-ana": "ana", "aud-1": "ruth", "admin": "admin"}

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def idp() -> Iterator[CodeProviderProcess]:
    p = CodeProviderProcess().start()
    yield p
    p.stop()


class Site:
    def __init__(self, server: LiveServer, db_url: str, dialect: str, templates: Templates) -> None:
        self.server, self.db_url, self.dialect, self.templates = server, db_url, dialect, templates

    @property
    def base(self) -> str:
        return self.server.base

    def api(self, method: str, path: str, who: str, body: dict[str, Any] | None = None) -> Any:
        resp = httpx.request(method, self.base + path, json=body, timeout=30,
                             headers={"Authorization": f"Bearer {token(who)}"})
        assert resp.status_code < 300, resp.text
        return resp.json()


@pytest.fixture(scope="module", params=DIALECTS)
def site(request: pytest.FixtureRequest, templates: Templates, idp: CodeProviderProcess,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    db_url = templates.copy(str(request.param))
    tmp = tmp_path_factory.mktemp("browser")
    server = LiveServer(db_url, tmp, GATEKEEPER_ISSUERS=json.dumps(idp.issuers()),
                        GATEKEEPER_WEB_OIDC_CLIENTS=json.dumps(idp.clients()))
    server.start()
    server.load_harbor()
    for user_id, subject in PEOPLE.items():
        body = {**USERS.get(user_id, {"name": "Admin", "role": "admin"}),
                "identities": [{"issuer": idp.issuer, "subject": subject}]}
        resp = httpx.put(f"{server.base}/api/v1/users/{user_id}", json=body, timeout=30,
                         headers={"Authorization": f"Bearer {token('admin')}"})
        assert resp.status_code == 200, resp.text
    yield Site(server, db_url, str(request.param), templates)
    server.kill()


def look(page: Any, name: str, dialect: str) -> None:
    """axe-core on the page (WCAG 2.1 A and AA rules): no serious or critical violation; then a screenshot."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: {bad}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"{dialect}-{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("GATEKEEPER_DOCS_SCREENSHOTS") and name in DOC_PAGES and dialect == "sqlite":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS / f"{name}.png")


def go(page: Any, target: Any) -> None:
    """Click a link or a form's button and wait until the page it leads to has loaded."""
    with page.expect_navigation(wait_until="load"):
        target.click()


def signed_in(browser: Any, site: Site, user_id: str) -> Any:
    """A new browser context (its own cookies) signed in through the provider's login page."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(site.base + "/signin")
    go(page, page.get_by_role("link", name="Sign in with Harbor Regional account"))
    page.get_by_label("User name").fill(PEOPLE[user_id])
    go(page, page.get_by_role("button", name="Sign in"))
    assert "/signin" not in page.url, page.content()[:500]
    return page


def test_landing_and_sign_in_pages(browser: Any, site: Site) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(site.base + "/")
    assert page.title() == "Welcome · Gatekeeper"
    look(page, "landing", site.dialect)
    go(page, page.get_by_role("link", name="Sign in").first)
    look(page, "signin", site.dialect)
    phone = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844}, is_mobile=True)
    small = phone.new_page()
    small.goto(site.base + "/")
    look(small, "landing-phone", site.dialect)
    phone.close()
    context.close()


def test_principal_narrows_and_the_sro_then_sees_exactly_the_released_fields(browser: Any, site: Site) -> None:
    sro = signed_in(browser, site, "sro-1")
    assert sro.url.endswith("/my/requests")
    go(sro, sro.get_by_role("link", name="New request").first)
    look(sro, "sro-form", site.dialect)
    sro.get_by_label("Student id").fill("st-a")
    sro.get_by_label("Purpose").select_option("LE_RESPONSE")
    for field in ("name", "photo", "class_schedule", "religion"):
        sro.get_by_label(field, exact=True).check()
    sro.get_by_label("Other fields (one per line)").fill("incident_report:INC-101")
    sro.get_by_label("Incident id").fill("INC-101")
    go(sro, sro.get_by_role("button", name="Ask"))
    assert "Waiting for approval" in sro.content()
    look(sro, "sro-decision", site.dialect)
    request_id = re.search(r"req_[A-Za-z0-9_-]+", sro.content()).group(0)  # type: ignore[union-attr]

    principal = signed_in(browser, site, "prin-1")
    assert principal.url.endswith("/queue")
    look(principal, "principal-queue", site.dialect)
    go(principal, principal.get_by_role("link", name=request_id))
    look(principal, "principal-request", site.dialect)
    for value in VALUES.values():
        assert value not in principal.content()
    principal.get_by_label("class_schedule").uncheck()
    go(principal, principal.get_by_role("button", name="Approve the ticked fields"))
    assert "The approval was recorded." in principal.content()

    decided = site.api("GET", f"/api/v1/disclosure-requests/{request_id}", "prin-1")
    released = {f["field"] for f in decided["fields"] if f["outcome"] == "RELEASE"}
    assert released and "class_schedule" not in released

    sro.goto(f"{site.base}/requests/{request_id}")
    look(sro, "sro-request", site.dialect)
    shown = sro.locator("dl.values dt").all_inner_texts()
    assert set(shown) == released
    text = sro.content()
    assert VALUES["class_schedule"] not in text and VALUES["religion"] not in text
    sro.goto(site.base + "/my/requests")
    assert request_id in sro.content()
    look(sro, "sro-requests", site.dialect)
    sro.context.close()
    principal.context.close()


def test_principal_denies(browser: Any, site: Site) -> None:
    created = site.api("POST", "/api/v1/disclosure-requests", "sro-1", request_body(fields=["class_schedule"]))
    principal = signed_in(browser, site, "prin-1")
    principal.goto(f"{site.base}/requests/{created['id']}")
    principal.get_by_label("Reason for denying").fill("Not needed for the incident")
    go(principal, principal.get_by_role("button", name="Deny the request"))
    assert "The request was denied." in principal.content() and "Nothing released" in principal.content()
    look(principal, "principal-denied", site.dialect)
    go(principal, principal.get_by_role("button", name="Sign out"))
    assert principal.url.rstrip("/") == site.base
    principal.context.close()


def test_parent_reads_the_record_in_spanish_without_the_sealed_entry(browser: Any, site: Site) -> None:
    opened = site.api("POST", "/api/v1/disclosure-requests", "sro-1", request_body(fields=["name", "religion"]))
    assert {f["field"]: f.get("reason") for f in opened["fields"]}["religion"] == "W_37L"
    order = site.api("POST", "/api/v1/legal-orders", "admin", {**ORDER, "non_disclosure_order": True})
    site.api("POST", "/api/v1/disclosure-requests", "det-1", {
        "student_id": "st-a", "purpose": "COURT_ORDER", "fields": ["attendance_detail"],
        "legal_order_id": order["id"]})
    parent = signed_in(browser, site, "parent-ana")
    assert parent.url.endswith("/record/st-a")
    parent.get_by_label("Language").select_option("es")
    go(parent, parent.get_by_role("button", name="Change"))
    parent.reload()  # remembered
    text = parent.content()
    assert '<html lang="es">' in text and "Registro de divulgaciones" in text
    assert "La ley de Massachusetts (c.71 §37L) protege esta información de la policía." in text
    assert "<strong>Religión</strong>" in text
    assert "attendance_detail" not in text and "Detalles de asistencia" not in text  # the sealed entry is not there
    for value in VALUES.values():
        assert value not in text
    look(parent, "parent-record-es", site.dialect)
    parent.context.close()


def test_auditor_searches_verifies_exports_and_finds_a_tampered_row_in_a_copy(browser: Any, site: Site,
                                                                               tmp_path: Path) -> None:
    auditor = signed_in(browser, site, "aud-1")
    assert auditor.url.endswith("/audit")
    look(auditor, "auditor-search", site.dialect)
    auditor.get_by_label("Student id").fill("st-a")
    auditor.get_by_label("Event type").fill("request.created")
    go(auditor, auditor.get_by_role("button", name="Search"))
    look(auditor, "auditor-results", site.dialect)
    first = auditor.locator("table a").first
    seq = int(first.inner_text())
    go(auditor, first)
    assert "request.created" in auditor.content()
    look(auditor, "auditor-entry", site.dialect)
    auditor.goto(site.base + "/audit/verify")
    go(auditor, auditor.get_by_role("button", name="Verify now"))
    assert "The log is intact" in auditor.content()
    look(auditor, "auditor-verify", site.dialect)
    with auditor.expect_download() as download:
        auditor.goto(site.base + "/audit")
        auditor.get_by_role("link", name="Download the log (CSV)").click()
    saved = tmp_path / "export.csv"
    download.value.save_as(saved)
    assert saved.read_text(encoding="utf-8").startswith("seq,")
    auditor.goto(site.base + "/audit/checkpoints")
    look(auditor, "auditor-checkpoints", site.dialect)

    admin = signed_in(browser, site, "admin")
    look(admin, "admin", site.dialect)
    admin.goto(site.base + "/audit/checkpoints")
    go(admin, admin.get_by_role("button", name="Make a checkpoint now"))
    assert "A signed checkpoint was made." in admin.content()
    admin.context.close()

    # A copy of the database with one row rewritten: verify on it names that entry.
    site.server.kill()
    copy_url = _copy(site)
    engine = create_engine(copy_url)
    try:
        with dba(engine) as conn:
            conn.exec_driver_sql("UPDATE audit_entries SET body = replace(body, '\"LE_RESPONSE\"', '\"AUDIT\"') "
                                 f"WHERE seq = {seq}")
    finally:
        engine.dispose()
    tampered = LiveServer(copy_url, tmp_path, **{k: v for k, v in site.server.env.items()
                                                if k in ("GATEKEEPER_ISSUERS", "GATEKEEPER_WEB_OIDC_CLIENTS")})
    tampered.env.update({k: site.server.env[k] for k in ("GATEKEEPER_SIGNING_KEY_FILE", "GATEKEEPER_DIGEST_KEY_FILE")})
    tampered.start()
    try:
        site.server = tampered
        auditor = signed_in(browser, site, "aud-1")
        auditor.goto(site.base + "/audit/verify")
        go(auditor, auditor.get_by_role("button", name="Verify now"))
        text = auditor.content()
        assert "The log has been changed." in text and f"First bad entry: {seq}" in text.replace("</strong>", "")
        look(auditor, "auditor-verify-tampered", site.dialect)
        auditor.context.close()
    finally:
        tampered.kill()


def _copy(site: Site) -> str:
    if site.dialect == "sqlite":
        source = Path(site.db_url.removeprefix("sqlite:///"))
        target = source.with_name(source.stem + "-copy.db")
        for suffix in ("", "-wal", "-shm"):
            if Path(str(source) + suffix).exists():
                shutil.copyfile(str(source) + suffix, str(target) + suffix)
        return f"sqlite:///{target}"
    name = site.db_url.rsplit("/", 1)[1]
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}_copy" TEMPLATE "{name}"')
    finally:
        admin.dispose()
    site.templates.pg_databases.append(f"{name}_copy")  # dropped with the session's databases
    return _pg_url(f"{name}_copy")
