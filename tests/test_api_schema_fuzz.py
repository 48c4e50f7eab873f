"""The schema is the contract: Schemathesis drives every operation of `/api/schema/`
in-process (WSGI) with a funded Enterprise key and asserts no 5xx and no schema violation.

Deterministic for CI: Hypothesis is derandomized, examples per operation are bounded and
every case runs inside a savepoint that is rolled back, so each one starts from the same
data. Jobs never run: the test database transaction never commits, so the on-commit
enqueue of `jobs.start` never fires (and tasks are not eager either).
"""

import socket
from collections import Counter
from typing import Any
from unittest import mock

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from apps.accounts.models import Tier
from apps.billing.services import credits_grant

MAX_EXAMPLES = 25  # Hypothesis examples per operation; coverage-phase cases come on top

CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

CASES: Counter[str] = Counter()


def _no_network(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
    # Every host "resolves" to loopback: the SSRF guard refuses it for a fuzzed URL (its
    # checks still run), the test's own Redis still answers, nothing leaves the machine.
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", int(port or 80)))]


@pytest.fixture
def funded_key(alice, settings, media_storage, not_eager):
    """Alice's workspace on Enterprise with limits out of the way and credits to spend;
    her user is staff so the moderation operations are reached too."""
    settings.ANONYMOUS_REQUESTS_PER_MINUTE = 10**6
    settings.STRIPE_SECRET_KEY = ""
    Tier.objects.filter(name="enterprise").update(
        requests_per_minute=10**6, max_concurrent_jobs=10**6
    )
    alice.workspace.tier = Tier.objects.get(name="enterprise")
    alice.workspace.save()
    alice.user.is_staff = True
    alice.user.save()
    credits_grant(workspace=alice.workspace, credits=10**9, idempotency_key="fuzz:fund")
    # Like Django's test client: a request must not close the test's connection (and
    # with it the transaction every case runs in).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with mock.patch("socket.getaddrinfo", _no_network):
            yield alice.key
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class _CaseCount:
    """Prints how many cases Schemathesis ran, in the run's closing summary."""

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        total = sum(CASES.values())
        terminalreporter.write_line(
            f"schemathesis: {total} cases over {len(CASES)} operations, each checked by "
            f"{', '.join(c.__name__ for c in CHECKS)}"
        )


@pytest.fixture(scope="module", autouse=True)
def _report_cases(request):
    yield
    if CASES:
        request.config.pluginmanager.register(_CaseCount(), "schemathesis-case-count")


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_its_schema_says(case, funded_key):
    # Prefer: wait=N only sleeps here (jobs never run); the wait itself is tested elsewhere.
    if case.headers:
        case.headers.pop("Prefer", None)
    CASES[case.operation.label] += 1
    sid = transaction.savepoint()
    try:
        case.call_and_validate(headers={"Authorization": f"Bearer {funded_key}"}, checks=CHECKS)
    finally:
        transaction.savepoint_rollback(sid)
