"""Crafted input from outside (issue 12) gets a typed 4xx in the one envelope, never a 500."""

import base64
import io
import json
from unittest.mock import ANY

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.models import Membership
from apps.accounts.scopes import ALL_SCOPES
from apps.accounts.services import api_key_create, user_signup
from tests.core.test_error_envelope import assert_envelope

pytestmark = pytest.mark.django_db


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def staff_api(db) -> APIClient:
    user = user_signup(email="staff@example.com", password="pw-12345678", is_staff=True)
    _, key = api_key_create(
        actor=Membership.objects.get(user=user), name="staff key", scopes=list(ALL_SCOPES)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


# Every cursor-paginated list in the API, and who may read it.
CURSOR_LISTS = [
    ("/api/v1/gallery/public", "anon"),
    ("/api/v1/gallery", "alice"),
    ("/api/v1/tasks", "alice"),
    ("/api/v1/billing/ledger", "alice"),
    ("/api/v1/api-keys", "alice"),
    ("/api/v1/members", "alice"),
    ("/api/v1/moderation/cases", "staff"),
    ("/api/v1/webhooks", "alice"),
    ("/api/v1/webhooks/<str:endpoint_id>/deliveries", "alice"),
    ("/api/v1/audit-events", "alice"),
]

BAD_CURSORS = [
    _b64("p=1"),  # "cD0x": a position that is not a timestamp
    "abc",  # not base64 (DRF's undocumented 404 before)
    "%%%",
    "\u00e9t\u00e9",  # not ASCII
    _b64("junk"),
    _b64("\x00\xff"),
    _b64("p=not-a-date"),
    _b64("p=2024-13-45 99:99:99"),
    _b64("p=99999-01-01 00:00:00+00:00"),
    _b64("o=999999999"),
    _b64("o=-1"),
    _b64("o=x"),
    _b64("r=2"),
    _b64("r=1&r=0"),
    _b64("x=1"),
    _b64("p=\x00"),
    "\x00",
]


def list_url(route: str, client: APIClient) -> str:
    """A list route made concrete: a path parameter names an object the client made."""
    if "<str:endpoint_id>" in route:
        endpoint = client.post(
            "/api/v1/webhooks",
            {"url": "https://hooks.example.com/h", "events": ["task.completed"]},
            format="json",
        ).json()
        return route.replace("<str:endpoint_id>", endpoint["id"])
    return route


@pytest.fixture
def list_client(request, anon_api, alice_api):
    def client_for(who: str) -> APIClient:
        return {"anon": anon_api, "alice": alice_api}.get(who) or request.getfixturevalue(
            "staff_api"
        )

    return client_for


@pytest.mark.parametrize("url,who", CURSOR_LISTS)
def test_crafted_cursor_is_a_400_naming_cursor_on_every_list(list_client, url, who):
    client = list_client(who)
    url = list_url(url, client)
    for cursor in BAD_CURSORS:
        response = client.get(url, {"cursor": cursor})
        error = assert_envelope(response, 400, "VALIDATION_ERROR")
        assert "cursor" in error["details"]["fields"], cursor
        assert error["retryable"] is False


@pytest.mark.parametrize("url,who", CURSOR_LISTS)
def test_a_bad_limit_is_a_400_naming_limit_and_a_huge_one_is_capped(list_client, url, who):
    client = list_client(who)
    url = list_url(url, client)
    for limit in ("abc", "-1", "0", "1.5", "9" * 5000):
        error = assert_envelope(client.get(url, {"limit": limit}), 400, "VALIDATION_ERROR")
        assert "limit" in error["details"]["fields"], limit
    assert client.get(url, {"limit": "999999999999"}).status_code == 200


def test_the_next_cursor_still_pages_through_a_list(alice, alice_api):
    for n in range(4):
        api_key_create(actor=alice.membership, name=f"key {n}")
    seen, url = [], "/api/v1/api-keys?limit=2"
    while url:
        body = alice_api.get(url).json()
        seen += [k["id"] for k in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 5
    previous = alice_api.get(alice_api.get("/api/v1/api-keys?limit=2").json()["next"]).json()
    assert alice_api.get(previous["previous"]).json()["results"]


def _api_views():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and hasattr(p.callback, "view_class"):
                yield prefix + str(p.pattern), p.callback.view_class

    return list(walk(get_resolver().url_patterns))


def test_every_paginated_api_list_uses_the_shared_cursor_pagination_and_is_tested_above():
    from rest_framework.generics import GenericAPIView

    from apps.core.pagination import CursorPagination

    paginated = {
        "/" + route
        for route, view in _api_views()
        if issubclass(view, GenericAPIView) and view.pagination_class is not None
    }
    for route, view in _api_views():
        if issubclass(view, GenericAPIView) and view.pagination_class is not None:
            assert issubclass(view.pagination_class, CursorPagination), route
    assert paginated == {url for url, _ in CURSOR_LISTS}


# --- bodies: too big, too deep, too many parts (item 2) ---------------------------------

ELEVEN_MB = 11 * 1024 * 1024
WEBHOOK_PROVIDERS = ["wavespeed", "replicate", "openai", "fal", "runware"]


def _big_json(size: int) -> bytes:
    return b'{"prompt": "' + b"a" * size + b'"}'


def test_an_11_mb_json_body_is_a_413_payload_too_large(alice_api):
    response = alice_api.post(
        "/api/v1/api-keys", _big_json(ELEVEN_MB), content_type="application/json"
    )
    error = assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")
    assert error["retryable"] is False
    assert error["details"]["max_bytes"] == 10 * 1024 * 1024


@pytest.mark.parametrize("provider", WEBHOOK_PROVIDERS)
def test_an_11_mb_body_to_a_provider_webhook_is_a_413(anon_api, provider):
    response = anon_api.post(
        f"/api/v1/providers/{provider}/webhook?job=job_x&token=t",
        _big_json(ELEVEN_MB),
        content_type="application/json",
    )
    assert assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")["retryable"] is False


def test_a_50_mb_json_body_to_generate_is_a_413(alice_api):
    response = alice_api.post(
        "/api/v1/generate", _big_json(50 * 1024 * 1024), content_type="application/json"
    )
    assert assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")["retryable"] is False


def test_a_huge_declared_length_is_refused_before_the_body_is_read(alice_api):
    # The Content-Length says 50 MB and only 20 bytes follow: refused by the header alone
    # (reading would wait for bytes that never come).
    response = alice_api.generic(
        "POST",
        "/api/v1/generate",
        b'{"prompt": "a fox"} ',
        content_type="application/json",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
@pytest.mark.parametrize("url", ["/api/v1/generate", "/api/v1/api-keys", "/api/v1/estimate-cost"])
def test_json_nested_too_deep_is_a_400_not_a_recursion_error(alice_api, url, depth):
    body = '{"prompt": "x", "settings": ' + "[" * depth + "]" * depth + "}"
    response = alice_api.post(url, body, content_type="application/json")
    error = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert error["retryable"] is False
    assert "nested deeper than 64" in error["message"] or "10000 objects" in error["message"]


def test_json_with_more_than_10000_objects_and_arrays_is_a_400(alice_api):
    body = '{"prompt": "x", "settings": [' + ",".join(["{}"] * 10_001) + "]}"
    response = alice_api.post("/api/v1/estimate-cost", body, content_type="application/json")
    error = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert "10000 objects and arrays" in error["message"]


def test_json_nested_1000_deep_in_a_multipart_json_field_is_a_400(alice_api):
    response = alice_api.post(
        "/api/v1/process",
        {"operation": "edit", "settings": "[" * 1000 + "]" * 1000},
        format="multipart",
    )
    error = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert error["details"] == {"field": "settings", "request_id": ANY}


def test_json_nested_1000_deep_to_a_tokened_provider_webhook_is_a_400(anon_api):
    from apps.providers.common import webhook_token

    token = webhook_token("runware", "job_abc")
    response = anon_api.post(
        f"/api/v1/providers/runware/webhook?job=job_abc&token={token}",
        "[" * 1000 + "]" * 1000,
        content_type="application/json",
    )
    assert_envelope(response, 400, "VALIDATION_ERROR")


def test_more_than_1000_multipart_fields_is_a_400(alice_api):
    fields = {f"field{i}": "x" for i in range(1001)}
    response = alice_api.post("/api/v1/generate", fields, format="multipart")
    error = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert error["retryable"] is False
    assert error["details"] == {"max_fields": 1000, "request_id": ANY}


def _many_files(count: int) -> dict[str, io.BytesIO]:
    files = {}
    for i in range(count):
        part = io.BytesIO(b"x")
        part.name = f"f{i}.txt"
        files[f"file{i}"] = part
    return files


def test_101_file_parts_to_the_api_are_a_400_at_the_first_part_it_does_not_take(alice_api):
    # The API's multipart endpoints take named file parts only (apps/gallery/uploads.py),
    # so the first unknown part is refused before Django's 100-file cap is reached.
    response = alice_api.post("/api/v1/generate", _many_files(101), format="multipart")
    assert assert_envelope(response, 400, "VALIDATION_ERROR")["details"]["field"] == "file0"


def test_more_than_100_files_posted_to_a_page_is_a_400_page():
    response = Client(raise_request_exception=False).post("/login/", _many_files(101))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_page_post_too_big_or_with_too_many_fields_is_refused_not_a_500():
    client = Client(raise_request_exception=False)
    big = client.post(
        "/login/", "a=" + "b" * ELEVEN_MB, content_type="application/x-www-form-urlencoded"
    )
    assert big.status_code == 413
    assert big["Content-Type"].startswith("text/html")
    many = client.post(
        "/login/",
        "&".join(f"f{i}=x" for i in range(1001)),
        content_type="application/x-www-form-urlencoded",
    )
    assert many.status_code == 400


# --- control characters in text (item 5) ------------------------------------------------

TEXT_JOB = {
    "method": "text-to-video",
    "model": "local/text-to-video",
    "prompt": "A red fox at dawn",
    "duration": 1,
    "resolution": "480p",
}
# As JSON escapes: NUL, SOH, ESC, DEL, NEL (C1), a lone surrogate.
BAD_ESCAPES = ["\\u0000", "\\u0001", "\\u001b", "\\u007f", "\\u0085", "\\ud800"]


@pytest.mark.parametrize("escape", BAD_ESCAPES)
def test_a_prompt_with_a_nul_or_control_character_is_a_400_naming_prompt(alice_api, escape):
    body = json.dumps(TEXT_JOB)[:-1] + f', "prompt": "fox{escape}"}}'
    response = alice_api.post("/api/v1/generate", body, content_type="application/json")
    error = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert "prompt" in error["details"]["fields"]
    assert error["retryable"] is False


def test_the_json_escape_u0000_in_a_raw_body_is_a_400(alice_api):
    body = '{"method": "text-to-video", "model": "local/text-to-video", "prompt": "a\\u0000b"}'
    response = alice_api.post("/api/v1/generate", body, content_type="application/json")
    assert "prompt" in assert_envelope(response, 400, "VALIDATION_ERROR")["details"]["fields"]


def test_nested_text_is_named_by_its_path(alice_api):
    storyboard = {"shots": [{"prompt": "ok", "duration": 1}, {"prompt": "b\u0000d"}]}
    response = alice_api.post(
        "/api/v1/generate", {**TEXT_JOB, "storyboard": storyboard}, format="json"
    )
    fields = assert_envelope(response, 400, "VALIDATION_ERROR")["details"]["fields"]
    assert list(fields) == ["storyboard.shots[1].prompt"]


def test_a_control_character_in_a_key_name_is_a_400(alice_api):
    response = alice_api.post("/api/v1/api-keys", {"na\u0000me": "x"}, format="json")
    assert_envelope(response, 400, "VALIDATION_ERROR")


def test_tab_and_newlines_are_kept(alice_api):
    response = alice_api.post("/api/v1/api-keys", {"name": "line one\r\n\tline two"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "line one\r\n\tline two"


def test_multipart_fields_with_a_nul_are_a_400_naming_the_field(alice_api):
    multipart = alice_api.post(
        "/api/v1/generate", {**TEXT_JOB, "prompt": "fox\u0000"}, format="multipart"
    )
    assert "prompt" in assert_envelope(multipart, 400, "VALIDATION_ERROR")["details"]["fields"]


def test_a_nul_in_a_multipart_json_field_is_a_400_naming_its_path(alice_api):
    response = alice_api.post(
        "/api/v1/process",
        {"operation": "edit", "settings": '{"text": "a\\u0000"}'},
        format="multipart",
    )
    fields = assert_envelope(response, 400, "VALIDATION_ERROR")["details"]["fields"]
    assert list(fields) == ["settings.text"]


@pytest.mark.parametrize(
    "url,param",
    [
        ("/api/v1/tasks?status=%00", "status"),
        ("/api/v1/tasks?method=a%01", "method"),
        ("/api/v1/gallery?q=%00", "q"),
        ("/api/v1/tasks?cursor=%00", "cursor"),
        ("/api/v1/models?method=%00", "method"),
        ("/api/v1/tasks/job_%00", "path"),
    ],
)
def test_a_nul_in_a_query_parameter_or_path_is_a_400_naming_it(alice_api, url, param):
    error = assert_envelope(alice_api.get(url), 400, "VALIDATION_ERROR")
    assert param in error["details"]["fields"]


def test_a_nul_in_a_tokened_provider_callback_is_a_400(anon_api):
    from apps.providers.common import webhook_token

    token = webhook_token("runware", "job_abc")
    response = anon_api.post(
        f"/api/v1/providers/runware/webhook?job=job_abc&token={token}",
        '{"data": [{"taskUUID": "a\\u0000"}]}',
        content_type="application/json",
    )
    assert_envelope(response, 400, "VALIDATION_ERROR")


def test_page_forms_and_queries_with_control_characters_are_a_400_page(alice):
    client = Client(raise_request_exception=False)
    client.force_login(alice.user)
    for name in ("key\u0000", "key\u0001"):
        response = client.post("/api-keys/", {"name": name})
        assert response.status_code == 400, name
        assert response["Content-Type"].startswith("text/html")
    assert alice.workspace.api_keys.count() == 1  # only the fixture's own key
    assert client.get("/gallery/?q=%00").status_code == 400
    assert client.get("/moderation/?state=%00").status_code in (400, 403)
    assert client.get("/gallery/?q=fine").status_code == 200


def test_every_api_view_parses_bodies_with_the_checking_parsers():
    from rest_framework.views import APIView

    from apps.core import parsers

    checking = (parsers.JSONParser, parsers.MultiPartParser)
    for route, view in _api_views():
        if issubclass(view, APIView):
            for parser in view.parser_classes:
                assert issubclass(parser, checking), (route, parser)


def test_a_control_character_in_a_header_is_a_400_naming_the_header(alice_api):
    response = alice_api.post(
        "/api/v1/generate", TEXT_JOB, format="json", HTTP_IDEMPOTENCY_KEY="a\u0000b"
    )
    error = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert "Idempotency-Key" in error["details"]["fields"]
    ok = alice_api.get("/api/v1/tasks", HTTP_USER_AGENT="caf\u00c3\u00a9 \u00e2\u0082\u00ac")
    assert ok.status_code == 200  # UTF-8 read as latin-1 is not a control character
