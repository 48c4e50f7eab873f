"""Every API operation (api/v1, the OpenAI-compatible /v1/ and the /compat/ fronts)
declares the scope an API key needs for it, so a new endpoint cannot be forgotten: an
undeclared write would need `admin` at run time (closed by default), and this test names
it first."""

from django.urls import URLPattern, URLResolver, get_resolver

from apps.accounts.scopes import ALL_SCOPES, PUBLIC, declared_scope

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
API_PREFIXES = ("api/v1/", "v1/", "compat/")


def _walk(patterns, prefix=""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route, p.callback


def api_operations():
    for route, callback in _walk(get_resolver().url_patterns):
        view = getattr(callback, "cls", None)
        if not route.startswith(API_PREFIXES) or view is None:
            continue
        for method in METHODS:
            if hasattr(view, method.lower()):
                yield route, view, method


def test_the_walk_finds_every_front():
    routes = {route for route, _, _ in api_operations()}
    assert "api/v1/generate" in routes
    assert "v1/videos" in routes
    assert any(r.startswith("compat/alwrity/") for r in routes)
    assert any(r.startswith("compat/veo3/") for r in routes)
    assert any(r.startswith("compat/aetherwave/") for r in routes)


def test_every_api_operation_declares_a_known_scope():
    missing = []
    for route, view, method in api_operations():
        scope = declared_scope(view, method)
        if scope is None or scope not in (*ALL_SCOPES, PUBLIC):
            missing.append(f"{method} {route} ({view.__module__}.{view.__name__}): {scope}")
    assert not missing, "Declare `required_scope` on these views:\n" + "\n".join(missing)


def test_the_mapping_follows_the_rules():
    scopes = {
        (route, method): declared_scope(view, method) for route, view, method in api_operations()
    }
    assert scopes[("api/v1/generate", "POST")] == "jobs"
    assert scopes[("api/v1/process", "POST")] == "jobs"
    assert scopes[("api/v1/tasks/<str:job_id>", "DELETE")] == "jobs"
    assert scopes[("api/v1/tasks/<str:job_id>", "GET")] == "read"
    assert scopes[("api/v1/uploads", "POST")] == "uploads"
    assert scopes[("api/v1/billing/checkout", "POST")] == "billing"
    assert scopes[("api/v1/billing/ledger", "GET")] == "billing"
    assert scopes[("api/v1/billing/packs", "GET")] == "billing"
    for route in ("api/v1/api-keys", "api/v1/members", "api/v1/webhooks", "api/v1/provider-keys"):
        assert scopes[(route, "GET")] == "admin", route
        assert scopes[(route, "POST")] == "admin", route
    assert scopes[("api/v1/api-keys/<str:key_id>", "PATCH")] == "admin"
    # The compat fronts are jobs and reads.
    assert scopes[("v1/videos", "POST")] == "jobs"
    assert scopes[("v1/videos", "GET")] == "read"
    assert scopes[("compat/veo3/api/v1/videos/generate", "POST")] == "jobs"


def test_an_undeclared_write_needs_admin_at_run_time():
    from apps.accounts.scopes import required_scope

    class Undeclared:
        def post(self): ...

    assert declared_scope(Undeclared, "POST") is None
    assert required_scope(Undeclared, "POST") == "admin"
    assert required_scope(Undeclared, "GET") == "read"
