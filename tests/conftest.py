"""alice owns a workspace, bob is a member of it, charlie is another tenant.

`alice_api`, `bob_api` and `charlie_api` are API clients authenticated with a key of the
workspace under test (bob's key belongs to alice's workspace)."""

import importlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from celery import current_app
from django.apps import apps as django_apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from apps.accounts import services
from apps.accounts.models import Membership, Role, User, Workspace
from apps.accounts.scopes import ALL_SCOPES
from tests.factories import UserFactory, add_member


@dataclass
class Actor:
    user: User
    workspace: Workspace
    membership: Membership
    key: str
    api: APIClient


def _actor(user: User, workspace: Workspace) -> Actor:
    membership = Membership.objects.get(user=user, workspace=workspace)
    # Every scope, like a key from before scopes existed (the migration keeps those
    # whole): tests of other features are not about scopes.
    _, key = services.api_key_create(
        actor=membership, name=f"{user.email} test key", scopes=list(ALL_SCOPES)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return Actor(user, workspace, membership, key, client)


def pytest_collection_modifyitems(config, items):
    # Skipped at collection, before any database fixture runs: a transactional test that
    # is set up and then skipped would still flush the database afterwards.
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


def _seed_reference_rows() -> None:
    """Re-runs the data migrations' seeds (tiers, their credits, moderation term lists),
    idempotently."""
    for module, func in (
        ("apps.accounts.migrations.0002_seed_tiers", "seed"),
        ("apps.accounts.migrations.0003_tier_credits", "seed_credits"),
        ("apps.accounts.migrations.0004_tier_webhook_endpoints", "seed_webhook_endpoints"),
        ("apps.moderation.migrations.0002_seed_terms", "seed"),
        ("apps.moderation.migrations.0004_seed_idioms", "seed"),
    ):
        getattr(importlib.import_module(module), func)(django_apps, None)


@pytest.fixture(autouse=True)
def _reference_rows_survive_flushes(request):
    # Transactional tests end with a flush that also empties rows the data migrations
    # seeded; put them back for every transactional test.
    marker = request.node.get_closest_marker("django_db")
    if (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction"))
    ):
        request.getfixturevalue("transactional_db")
        _seed_reference_rows()


@pytest.fixture
def media_storage(settings, tmp_path):
    """Stored files go to this test's own directory; signed URLs point at the test client."""
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": "/media/"},
        },
    }
    settings.PUBLIC_BASE_URL = "http://testserver"
    return root


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache (Redis in CI); each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(db) -> Actor:
    user = UserFactory(email="alice@example.com", name="Alice")
    return _actor(user, user.memberships.get().workspace)


@pytest.fixture
def bob(alice: Actor) -> Actor:
    user = UserFactory(email="bob@example.com", name="Bob")
    add_member(alice.workspace, user, Role.MEMBER)
    return _actor(user, alice.workspace)


@pytest.fixture
def charlie(db) -> Actor:
    user = UserFactory(email="charlie@example.com", name="Charlie")
    return _actor(user, user.memberships.get().workspace)


@pytest.fixture
def alice_api(alice: Actor) -> APIClient:
    return alice.api


@pytest.fixture
def bob_api(bob: Actor) -> APIClient:
    return bob.api


@pytest.fixture
def charlie_api(charlie: Actor) -> APIClient:
    return charlie.api


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


# --- headless Chromium (Debian's package, driven by Playwright) for page tests ----------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (make browsers installs it)")
        pytest.skip("chromium is not installed (run `make browsers`)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# --- a real Celery worker ---------------------------------------------------------------


@pytest.fixture
def not_eager():
    """Tasks go through the broker instead of running in the test process. Whatever the
    test left unconsumed is purged, so no later worker picks it up."""
    current_app.conf.task_always_eager = False
    yield
    current_app.control.purge()
    current_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        return ""
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class _WorkerPool:
    """The real Celery worker, kept for the whole session while the environment it was
    started with stays the same: starting one costs 3 to 5 s, and most live tests share one
    environment. A test that changes the environment (`monkeypatch.setenv`) gets a fresh
    worker, and the old one stops first, so only one worker ever consumes the queue; it
    also stops after a test whose successor does not use it."""

    def __init__(self, log) -> None:
        self.proc: subprocess.Popen | None = None
        self.env: dict[str, str] = {}
        self.log = log  # the workers' output, for a failing test's post-mortem

    def get(self, env: dict[str, str], cwd) -> subprocess.Popen:
        if self.proc is not None and self.proc.poll() is None and env == self.env:
            return self.proc
        self.stop()
        self.env = env
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--prefetch-multiplier=1",
            ],
            cwd=cwd,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self.proc

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


_pools: list[_WorkerPool] = []  # the session's pool, for the hook below


@pytest.fixture(scope="session")
def _worker_pool(django_db_setup):
    # Depends on the test database so that it stops before the database is dropped.
    log_path = Path(settings.BASE_DIR) / "var" / "test-worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        pool = _WorkerPool(log)
        _pools.append(pool)
        yield pool
        _pools.remove(pool)
        pool.stop()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """The worker outlives a test only when the next one uses it too: a test without one
    (e.g. one that checks a job stays queued) must find nobody consuming the queue."""
    if nextitem is None or "real_worker" not in nextitem.fixturenames:
        for pool in _pools:
            pool.stop()


@pytest.fixture
def real_worker(not_eager, _worker_pool):
    """A real `celery -A config worker` process on the configured broker, using the test
    database (PostgreSQL: the worker needs to see the test's committed rows). Shared by the
    tests that run with the same environment (see `_WorkerPool`)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    if _database_url():
        env["DATABASE_URL"] = _database_url()
    yield _worker_pool.get(env, settings.BASE_DIR)


# --- the whole app as a user reaches it: a live HTTP server and a real worker -----------


@dataclass
class LiveStack:
    url: str  # the live server's base URL, e.g. http://localhost:54321
    worker: subprocess.Popen


@pytest.fixture
def live_stack(live_server, real_worker, settings) -> LiveStack:
    """A live server (in this process, threaded) and a real Celery worker sharing the test
    database and the test media directory. Signed links point at the live server. Needs
    PostgreSQL (mark the test `postgres`) and a transactional database."""
    settings.PUBLIC_BASE_URL = live_server.url
    return LiveStack(url=live_server.url, worker=real_worker)
