"""Web test fixtures: a demo organisation on a real SQLite store, the real app over HTTP, Debian's chromium.

One app and one browser per session (the demo org is built once, about 10 s). Screenshots of every page visited
go to ``tests/web/screenshots/`` (gitignored), so a person can look at what the tests saw.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.auth import Role
from app.main import create_app
from app.settings import Settings, load_settings
from app.web.devlinks import dev_link
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import LiveServer, load_org

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
DEMO_PEOPLE = 300


def build_demo_store(workdir: Path) -> Path:
    """Generate, ingest and analyze a small demo organisation through the real pipeline; the store's path."""
    from graph.jobs import run_analytics
    from ingest.demo import generate_demo_data
    from ingest.manifest import ingest_manifest

    db = workdir / "whoknows.db"
    store = SQLiteStore(db)
    try:
        generate_demo_data(workdir / "data", people=DEMO_PEOPLE, seed=7, end=datetime.now(UTC).date())
        ingest_manifest(store, workdir / "data", rejects_dir=workdir / "rejects")
        run_analytics(store, load_settings(env="test", jwt_secret="x" * 40))
    finally:
        store.close()
    return db


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_store(tmp_path_factory.mktemp("web-demo"))


@pytest.fixture(scope="session")
def web_settings(demo_db: Path) -> Settings:
    return load_settings(env="development", store=f"sqlite:///{demo_db}", response_cache_ttl_s=0.0,
                         session_secret="web-test-session-secret-0123456789abcdef")


@pytest.fixture(scope="session")
def web_app(web_settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(create_app(web_settings)) as server:
        yield server


@pytest.fixture(scope="session")
def demo_store(demo_db: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(demo_db)
    yield store
    store.close()


@pytest.fixture(scope="module")
def small_org_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    """The pages over HTTP on a small organisation (tests.api.conftest.load_org): the base URL and the settings."""
    from tests.web.test_pages_bounds import page_settings

    tmp: Path = tmp_path_factory.mktemp("small-org-pages")
    settings = page_settings(tmp)
    store = SQLiteStore(tmp / "whoknows.db")
    load_org(store)
    try:
        with LiveServer(create_app(settings, store=store)) as server:
            yield server.url, settings
    finally:
        store.close()


@pytest.fixture(scope="session")
def browser_context() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (make test installs it with apt-get)")
    from playwright.sync_api import sync_playwright

    profile = Path(tempfile.mkdtemp(prefix="whoknows-chromium-"))
    SHOTS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 900}, service_workers="block",
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def sign_in_link(settings: Settings, base_url: str, person_id: str, name: str, role: Role) -> str:
    return dev_link(settings, base_url, person_id, name, role)
