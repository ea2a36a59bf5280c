"""Settings guards, the legal clock and docker-compose."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from app import clock
from app.config import Settings
from tests.factories import PROJECT


def test_production_requires_a_real_secret() -> None:
    with pytest.raises(ValueError):
        Settings(env="production", jwt_secret=None)
    with pytest.raises(ValueError):
        Settings(env="production", jwt_secret="changeme")
    with pytest.raises(ValueError):
        Settings(env="production", jwt_secret="short")
    assert Settings(env="production", jwt_secret="s" * 40).jwt_secret


def test_test_env_and_demo_are_relaxed() -> None:
    assert Settings(env="test", jwt_secret=None).env == "test"
    assert Settings(env="production", jwt_secret=None, demo=True).demo


def test_clock_start_only_in_test_mode() -> None:
    try:
        clock.configure("test", "2025-03-10T10:00:00-05:00")
        legal = clock.now()
        assert datetime(2025, 3, 10, 15, 0, tzinfo=UTC) <= legal < datetime(2025, 3, 10, 15, 1, tzinfo=UTC)
        clock.configure("production", "2025-03-10T10:00:00-05:00")
        assert clock.now().year >= 2026
        with pytest.raises(ValueError):
            clock.configure("test", "2025-03-10T10:00:00")
    finally:
        clock.configure("production", None)


def test_docker_compose_is_complete() -> None:
    compose = yaml.safe_load((PROJECT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "migrate", "app"} <= set(services)
    assert "healthcheck" in services["db"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    env = services["app"]["environment"]
    assert env["GATEKEEPER_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "${GATEKEEPER_JWT_SECRET:?" in env["GATEKEEPER_JWT_SECRET"]
    assert "${POSTGRES_PASSWORD:?" in services["db"]["environment"]["POSTGRES_PASSWORD"]


def test_start_up_refuses_a_missing_vocabulary(tmp_path: Path) -> None:
    from app.main import create_app
    from tests.factories import make_settings

    with pytest.raises(ValueError):
        create_app(make_settings(f"sqlite:///{tmp_path}/x.db", tmp_path, policy_dir=tmp_path / "nothing"))
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "vocabulary.yaml").write_text("roles: [sro\n")
    with pytest.raises(ValueError):
        create_app(make_settings(f"sqlite:///{tmp_path}/x.db", tmp_path, policy_dir=tmp_path / "bad"))
