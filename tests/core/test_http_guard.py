import socket
from urllib.parse import urlsplit

import pytest

from apps.core import http
from apps.core.errors import ApplicationError
from tests.httpserver import serve


def body(data: bytes, status: int = 200, headers: dict | None = None):
    def handler(req):
        req.send_response(status)
        for k, v in (headers or {}).items():
            req.send_header(k, v)
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    return handler


def redirect(to: str):
    def handler(req):
        req.send_response(302)
        req.send_header("Location", to)
        req.send_header("Content-Length", "0")
        req.end_headers()

    return handler


def netloc(url: str) -> str:
    return urlsplit(url).netloc


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x",
        "http://localhost/x",
        "http://10.0.0.8/x",
        "http://172.16.3.4/x",
        "http://192.168.1.1/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.1.1/x",
        "http://[::1]/x",
        "http://[fd00::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://0.0.0.0/x",
        "http://224.0.0.1/x",
    ],
)
def test_private_and_reserved_addresses_are_refused(url):
    with pytest.raises(http.OutboundError, match="private or reserved"):
        http.resolve_public(url)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x/", "http://u:p@example.com/"]
)
def test_other_schemes_and_credentials_are_refused(url):
    with pytest.raises(http.OutboundError):
        http.resolve_public(url)


def test_dns_is_resolved_once_and_the_connection_is_pinned(monkeypatch):
    answers = iter(["93.184.216.34", "127.0.0.1"])  # a rebinding resolver
    calls = []

    def fake_getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    url, ip = http.resolve_public("http://rebind.example/x")
    assert (ip, calls) == ("93.184.216.34", ["rebind.example"])
    assert url.host == "rebind.example"


def test_fetches_an_allowed_server_to_a_file(tmp_path, settings):
    with serve({"GET /clip.mp4": body(b"x" * 1000, headers={"Content-Type": "video/mp4"})}) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [netloc(base)]
        result = http.fetch_to_file(f"{base}/clip.mp4", dest=tmp_path / "f", max_bytes=10_000)
    assert result.size_bytes == 1000
    assert result.content_type == "video/mp4"
    assert result.final_url == f"{base}/clip.mp4"
    assert (tmp_path / "f").read_bytes() == b"x" * 1000


def test_a_redirect_to_a_private_address_is_refused(tmp_path, settings):
    routes = {"GET /go": redirect("http://169.254.169.254/latest/meta-data/")}
    with serve(routes) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [netloc(base)]
        with pytest.raises(http.OutboundError, match="private or reserved"):
            http.fetch_to_file(f"{base}/go", dest=tmp_path / "f", max_bytes=10_000)
    assert not (tmp_path / "f").exists()


def test_a_redirect_to_another_local_port_is_refused(tmp_path, settings):
    with serve({"GET /secret": body(b"internal")}) as internal:
        routes = {"GET /go": redirect(f"{internal}/secret")}
        with serve(routes) as base, pytest.raises(http.OutboundError, match="private"):
            settings.OUTBOUND_ALLOWED_NETLOCS = [netloc(base)]
            http.fetch_to_file(f"{base}/go", dest=tmp_path / "f", max_bytes=10_000)


def test_redirects_within_allowed_hosts_are_followed(tmp_path, settings):
    routes = {"GET /a": redirect("/b"), "GET /b": body(b"ok")}
    with serve(routes) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [netloc(base)]
        result = http.fetch_to_file(f"{base}/a", dest=tmp_path / "f", max_bytes=100)
    assert result.final_url == f"{base}/b"


def test_a_declared_oversize_body_is_refused_before_reading(tmp_path, settings):
    with serve({"GET /big": body(b"x" * 5000)}) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [netloc(base)]
        with pytest.raises(ApplicationError) as exc:
            http.fetch_to_file(f"{base}/big", dest=tmp_path / "f", max_bytes=1000)
    assert exc.value.code == "FILE_TOO_LARGE"
    assert exc.value.details["limit_bytes"] == 1000
    assert not (tmp_path / "f").exists()


def test_an_undeclared_oversize_body_is_cut_off_and_removed(tmp_path, settings):
    def chunked(req):
        req.send_response(200)
        req.send_header("Transfer-Encoding", "chunked")
        req.end_headers()
        for _ in range(20):
            req.wfile.write(b"400\r\n" + b"y" * 1024 + b"\r\n")
        req.wfile.write(b"0\r\n\r\n")

    with serve({"GET /stream": chunked}) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [netloc(base)]
        with pytest.raises(ApplicationError) as exc:
            http.fetch_to_file(f"{base}/stream", dest=tmp_path / "f", max_bytes=4096)
    assert exc.value.code == "FILE_TOO_LARGE"
    assert not (tmp_path / "f").exists()


def test_headers_go_to_the_first_host_only(tmp_path, settings):
    seen = {}

    def record(name):
        def handler(req):
            seen[name] = req.headers.get("Authorization")
            body(b"ok")(req)

        return handler

    with serve({"GET /file": record("other")}) as other:
        routes = {"GET /a": redirect("/b"), "GET /b": redirect(f"{other}/file")}
        routes["GET /b"] = lambda r, inner=routes["GET /b"]: (
            seen.__setitem__("first", r.headers.get("Authorization")),
            inner(r),
        )
        with serve(routes) as base:
            settings.OUTBOUND_ALLOWED_NETLOCS = [netloc(base), netloc(other)]
            http.fetch_to_file(
                f"{base}/a",
                dest=tmp_path / "f",
                max_bytes=100,
                headers={"Authorization": "Bearer secret"},
            )
    assert seen == {"first": "Bearer secret", "other": None}
