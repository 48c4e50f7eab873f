"""The cached key record (apps/accounts/keycache.py): every change through its service
applies to the very next request; a warm request costs one Redis round trip and no query."""

import datetime as dt

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from apps.accounts import services
from apps.accounts.models import ApiKey, Role, Tier
from apps.core import vrecord
from apps.jobs.closure import workspace_close

pytestmark = pytest.mark.skipif(
    not isinstance(caches["default"], RedisCache), reason="the key cache lives in Redis"
)

URL = "/api/v1/workspace"
MANAGERS_ONLY = "/api/v1/audit-events"


def warm(actor, url=URL):
    """Two requests: the first fills the record, the second is served from it."""
    for _ in range(2):
        assert actor.api.get(url).status_code == 200


def key_of(actor) -> ApiKey:
    return ApiKey.objects.get(prefix=actor.key.split("_")[1])


def test_a_revoked_key_is_refused_on_the_next_request(alice):
    warm(alice)
    services.api_key_revoke(actor=alice.membership, api_key=key_of(alice))
    response = alice.api.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AUTHENTICATION_FAILED"


def test_a_scope_change_applies_to_the_next_request(alice):
    warm(alice)
    services.api_key_update(
        actor=alice.membership, api_key=key_of(alice), changes={"scopes": ["jobs"]}
    )
    response = alice.api.get(URL)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PERMISSION_DENIED"


def test_a_new_expiry_applies_once_it_passes(alice, monkeypatch):
    warm(alice)
    expiry = timezone.now() + dt.timedelta(hours=1)
    services.api_key_update(
        actor=alice.membership, api_key=key_of(alice), changes={"expires_at": expiry}
    )
    assert alice.api.get(URL).status_code == 200  # refilled with the expiry
    later = expiry + dt.timedelta(seconds=1)
    monkeypatch.setattr(services.timezone, "now", lambda: later)
    response = alice.api.get(URL)
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


def test_a_deactivated_user_is_refused_on_the_next_request(alice):
    warm(alice)
    services.user_set_active(user=alice.user, is_active=False)
    assert alice.api.get(URL).status_code == 401
    services.user_set_active(user=alice.user, is_active=True)
    assert alice.api.get(URL).status_code == 200


def test_a_user_deactivated_in_the_admin_is_refused_on_the_next_request(alice):
    warm(alice)
    alice.user.is_active = False
    alice.user.save()  # what the admin's change form does: the signal bumps
    assert alice.api.get(URL).status_code == 401


def test_a_removed_member_is_refused_on_the_next_request(alice, bob):
    warm(bob)
    services.membership_remove(actor=alice.membership, membership=bob.membership)
    assert bob.api.get(URL).status_code == 401


def test_a_role_change_applies_to_the_next_request(alice, bob):
    warm(bob)
    assert bob.api.get(MANAGERS_ONLY).status_code == 403
    services.membership_change_role(actor=alice.membership, membership=bob.membership, role="admin")
    assert bob.api.get(MANAGERS_ONLY).status_code == 200
    services.membership_change_role(
        actor=alice.membership, membership=bob.membership, role=Role.MEMBER
    )
    assert bob.api.get(MANAGERS_ONLY).status_code == 403


def test_a_tier_change_applies_its_rate_limit_to_the_next_request(alice):
    warm(alice)  # 2 requests counted this minute
    tiny = Tier.objects.create(
        name="tiny",
        display_name="Tiny",
        max_upload_bytes=1,
        max_concurrent_jobs=1,
        requests_per_minute=3,
    )
    services.workspace_tier_change(workspace=alice.workspace, tier=tiny)
    assert alice.api.get(URL).status_code == 200  # the third
    response = alice.api.get(URL)
    assert response.status_code == 429
    assert response.json()["error"]["details"]["limit_per_minute"] == 3


def test_edited_tier_limits_apply_to_the_next_request(alice):
    warm(alice)
    services.tier_limits_update(tier=alice.workspace.tier, requests_per_minute=2)
    response = alice.api.get(URL)
    assert response.status_code == 429
    assert response.json()["error"]["details"]["limit_per_minute"] == 2


def test_a_tier_edited_in_the_admin_applies_to_the_next_request(alice):
    warm(alice)
    tier = Tier.objects.get(pk=alice.workspace.tier_id)
    tier.requests_per_minute = 2
    tier.save()  # the admin's change form: the signal bumps
    assert alice.api.get(URL).status_code == 429


def test_a_closed_workspace_is_refused_on_the_next_request(alice):
    warm(alice)
    workspace_close(actor=alice.membership, confirm=alice.workspace.name)
    assert alice.api.get(URL).status_code in (401, 403)
    assert alice.api.get(URL).status_code == 401  # its keys were revoked with it


def test_refused_requests_do_not_count_against_the_rate_limit(alice, bob):
    services.tier_limits_update(tier=alice.workspace.tier, requests_per_minute=3)
    for _ in range(5):
        assert bob.api.get(MANAGERS_ONLY).status_code == 403  # refused by permission
    for _ in range(3):
        assert bob.api.get(URL).status_code == 200
    assert bob.api.get(URL).status_code == 429


class Probe(APIView):
    """The platform's defaults (key auth, IsWorkspaceMember, TierRateThrottle) and a
    constant answer: what authentication alone costs."""

    def get(self, request):
        return Response({"workspace": request.workspace.public_id})


class RoundTrips:
    def __init__(self, monkeypatch):
        self.count = 0
        client = caches["default"]._cache.get_client("x", write=True)
        cls = client.connection_pool.connection_class
        original = cls.send_packed_command

        def counting(conn, *args, **kwargs):
            self.count += 1
            return original(conn, *args, **kwargs)

        monkeypatch.setattr(cls, "send_packed_command", counting)


def test_a_warm_key_costs_one_redis_round_trip_and_no_query(
    alice, monkeypatch, django_assert_num_queries
):
    factory, view = APIRequestFactory(), Probe.as_view()

    def call():
        return view(factory.get("/probe", HTTP_AUTHORIZATION=f"Bearer {alice.key}"))

    assert call().status_code == 200  # fills the record
    trips = RoundTrips(monkeypatch)
    with django_assert_num_queries(0):
        response = call()
    assert response.status_code == 200
    assert response.data == {"workspace": alice.workspace.public_id}
    assert trips.count == 1


def test_last_used_at_is_written_at_most_once_per_resolution(alice, django_assert_num_queries):
    key = key_of(alice)
    assert key.last_used_at is None
    warm(alice)
    first = key_of(alice).last_used_at
    assert first is not None
    for _ in range(3):
        assert alice.api.get(URL).status_code == 200
    assert key_of(alice).last_used_at == first


def test_without_redis_the_database_path_still_applies_changes(alice, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    warm(alice)
    services.api_key_revoke(actor=alice.membership, api_key=key_of(alice))
    assert alice.api.get(URL).status_code == 401


def test_the_hot_connection_follows_the_cache_to_another_redis_database():
    """The per-thread connection of the hot path belongs to the cache's pool: a cache
    pointed elsewhere (another database here) gets its own, not the old server's."""
    import uuid

    import redis

    from apps.accounts import keycache

    location = caches["default"]._cache.get_client("x", write=True).connection_pool
    kwargs = location.connection_kwargs
    first = redis.Redis(host=kwargs["host"], port=kwargs["port"], db=kwargs.get("db", 0))
    second = redis.Redis(
        host=kwargs["host"], port=kwargs["port"], db=(kwargs.get("db", 0) + 1) % 16
    )
    script = first.register_script("return {KEYS[1], redis.call('GET', KEYS[2])}")
    name = f"keycache-test:{uuid.uuid4().hex}"
    first.set(name, "first", ex=60)
    second.set(name, "second", ex=60)
    try:
        assert keycache._evalsha(first, script, "-", name)[1] == b"first"
        assert keycache._evalsha(second, script, "-", name)[1] == b"second"
        assert keycache._evalsha(first, script, "-", name)[1] == b"first"
    finally:
        first.delete(name)
        second.delete(name)


def _rate_count(actor) -> int:
    import time

    from apps.accounts import keycache

    window = int(time.time() // keycache.RATE_WINDOW_S)
    name = caches["default"].make_key(f"ratelimit:ws:{actor.workspace.pk}:{window}")
    raw = caches["default"]._cache.get_client(name).get(name)
    return int(raw or 0)


def test_a_record_of_another_layout_is_a_miss_that_counts_once(alice):
    """A record written by a release with other columns is never read as rows: the hot
    script refuses it before counting, the database answers, the request counts once and
    the record is written again in this release's layout."""
    from apps.accounts import keycache, keycache_record

    warm(alice)
    backend = vrecord.backend()
    name = keycache._key(backend, f"authrec:{key_of(alice).prefix}")
    client = keycache._client()
    head, rows = client.get(name).decode().split("\n", 1)
    assert head.split(" ")[0] == keycache_record.layout()
    client.set(name, " ".join(["0" * 12, *head.split(" ")[1:]]) + "\n" + rows, ex=60)
    before = _rate_count(alice)
    assert alice.api.get(URL).status_code == 200
    assert _rate_count(alice) == before + 1
    assert client.get(name).decode().split(" ")[0] == keycache_record.layout()


def test_the_cached_key_is_the_databases_rows_related_as_loaded(alice, django_assert_num_queries):
    """The instances rebuilt from a record equal the database's rows column for column,
    their relations come without a query, and a column left out of the record (it changes
    without a version bump) is read from the database when asked for."""
    from apps.accounts import keycache, keycache_record
    from apps.accounts.selectors import api_key_for_prefix

    warm(alice)
    prefix = key_of(alice).prefix
    hit = keycache.key_lookup(
        prefix=prefix, address="198.51.100.7", failure_limit=0, count=False, touch_every_s=60
    )
    loaded = api_key_for_prefix(prefix=prefix)
    cached = hit.api_key
    assert cached is not None and not cached._state.adding
    with django_assert_num_queries(0):
        pairs = [
            (cached, loaded),
            (cached.workspace, loaded.workspace),
            (cached.workspace.tier, loaded.workspace.tier),
            (cached.created_by, loaded.created_by),
            (cached.membership, loaded.membership),
        ]
        for mine, theirs in pairs:
            for name in keycache_record._attnames(type(mine)):
                assert getattr(mine, name) == getattr(theirs, name), name
        assert cached.membership.workspace is cached.workspace
        assert cached.membership.user is cached.created_by
    with django_assert_num_queries(1):
        assert cached.workspace.storage_used_bytes == loaded.workspace.storage_used_bytes


def test_each_lookup_builds_its_own_instances_and_json_values(alice):
    """A record's rows are parsed once per process, but no two requests share an
    instance or a JSON value: a view that edits its key's scopes in place edits nobody
    else's."""
    from apps.accounts import keycache

    warm(alice)

    def lookup():
        return keycache.key_lookup(
            prefix=key_of(alice).prefix,
            address="198.51.100.7",
            failure_limit=0,
            count=False,
            touch_every_s=60,
        ).api_key

    first, second = lookup(), lookup()
    assert first is not second and first.workspace is not second.workspace
    assert first.scopes == second.scopes and first.scopes is not second.scopes
    first.scopes.append("edited in place")
    first.workspace.name = "Renamed in place"
    third = lookup()
    assert "edited in place" not in third.scopes
    assert third.workspace.name == alice.workspace.name
