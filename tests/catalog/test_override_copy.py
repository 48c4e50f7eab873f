"""The per-process copy of the admin overrides (apps/core/refcache.py) is never stale: a
change applies to the next request in every process, including one that reloaded while
the change was still uncommitted."""

import threading

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, transaction

from apps.catalog.models import ModelOverride
from apps.catalog.selectors import _overrides_load, model_get
from apps.catalog.services import model_override_set
from apps.core import refcache
from apps.core.refcache import ProcessCopy
from apps.moderation.models import TERMS, ModerationTerm
from apps.moderation.screening import RulesBackend

MODEL = "local/text-to-video"


def _price(copy: ProcessCopy) -> int | None:
    override = copy.get().get(MODEL)
    return override.price_credits if override else None


def _other_process() -> ProcessCopy:
    """Another web process's copy: its own memory, the same shared version token."""
    return ProcessCopy("catalog-overrides", _overrides_load)


@pytest.mark.django_db
def test_an_override_applies_to_the_next_lookup_in_this_and_another_process():
    other = _other_process()
    assert _price(other) is None
    assert model_get(model_id=MODEL).override is None
    model_override_set(model_id=MODEL, price_credits=3)
    assert model_get(model_id=MODEL).override.price_credits == 3
    assert _price(other) == 3
    ModelOverride.objects.get(model_id=MODEL).delete()
    assert model_get(model_id=MODEL).override is None
    assert _price(other) is None


@pytest.mark.django_db
def test_a_cached_copy_costs_no_query(monkeypatch, django_assert_num_queries):
    # This process's versions only (another pytest -n process may clear the Redis one).
    monkeypatch.setattr(refcache, "cache", LocMemCache("override-copy", {}))
    model_override_set(model_id=MODEL, price_credits=3)
    model_get(model_id=MODEL)
    with django_assert_num_queries(0):
        assert model_get(model_id=MODEL).override.price_credits == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_process_that_reloads_before_the_change_commits_reloads_again_after():
    other = _other_process()
    assert _price(other) is None

    def reload_elsewhere() -> None:
        try:
            _price(other)  # its own connection: the change is not visible yet
        finally:
            connection.close()

    with transaction.atomic():
        model_override_set(model_id=MODEL, price_credits=5)
        thread = threading.Thread(target=reload_elsewhere)
        thread.start()
        thread.join()
        assert other._copy is not None and other._copy[1] == {}  # reloaded the old rows
    assert _price(other) == 5  # the bump on commit made it load again


@pytest.mark.django_db
def test_a_bulk_update_of_the_terms_reaches_the_screeners_copy():
    ModerationTerm.objects.create(category="custom", term="zorblax", action="block")
    assert RulesBackend().screen(text="a zorblax").decision == "block"
    ModerationTerm.objects.filter(term="zorblax").update(enabled=False)
    assert RulesBackend().screen(text="a zorblax").decision == "allow"
    assert ("custom", "zorblax", False, "block") not in TERMS.get()
