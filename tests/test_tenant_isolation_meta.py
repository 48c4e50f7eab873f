"""Every API URL pattern must have a cross-tenant test: a test marked
`@pytest.mark.isolation("api:<name>")` in which charlie gets 404 on alice's objects or
never sees them in lists. Endpoints with no tenant data are listed in NO_TENANT_DATA
with the reason."""

import ast
import pathlib

from django.urls import URLPattern, URLResolver, get_resolver

TESTS_DIR = pathlib.Path(__file__).parent

NO_TENANT_DATA = {
    "schema": "the OpenAPI document is the same for everyone",
    "api-docs": "Swagger UI, static",
    "api:billing-stripe-webhook": "called by Stripe, signed; returns no tenant data",
    "api:models": "the public model catalogue, the same for every caller",
    "api:model-detail": "one model of the public catalogue, the same for every caller",
    "api:provider-webhook": "called by AI providers, verified by signature or per-job token; "
    "returns no tenant data and only triggers a poll of the task it names",
}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, route, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield route, f"{namespace}{p.name}"


def api_url_names() -> dict[str, str]:
    return {
        name: route
        for route, name in _walk(get_resolver().url_patterns)
        if route.startswith(("api/", "v1/", "compat/"))
    }


def covered_url_names() -> set[str]:
    covered: set[str] = set()
    for path in TESTS_DIR.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "isolation"
            ):
                covered.update(a.value for a in node.args if isinstance(a, ast.Constant))
    return covered


def test_every_api_url_has_a_cross_tenant_test():
    names = api_url_names()
    assert "api:workspace" in names  # the walk finds the API at all
    missing = sorted(
        f"{name} ({route})"
        for name, route in names.items()
        if name not in covered_url_names() and name not in NO_TENANT_DATA
    )
    assert not missing, "API URLs without a cross-tenant isolation test:\n" + "\n".join(missing)


def test_isolation_markers_name_real_urls():
    unknown = covered_url_names() - set(api_url_names())
    assert not unknown, f"isolation markers name URLs that do not exist: {sorted(unknown)}"
