import contextlib
import ipaddress
import socket
from unittest import mock
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from apps.core import http
from apps.core.errors import ApplicationError
from apps.core.http import addresses
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


# --- malformed URLs: a 400 naming the field, never a parser's exception (issue 12, #6) ---

MALFORMED_URLS = [
    "http://0177.0.0.1:8870/",  # octal IPv4
    "http://0177.0.0.1/",
    "http://2130706433/",  # one integer
    "http://0x7f.1/",  # hex, short form
    "http://0x7f000001/",
    "http://127.1/",
    "http://1.2.3.4.5/",
    "http://%31%32%37.0.0.1/",
    "http://exa\tmple.com/",  # a tab inside the host
    "http://example.com\t/",
    "http://\texample.com/",
    "http://exa\nmple.com/",
    "http://ex\x00ample.com/",
    "http://①②⑦.0.0.1/",  # enclosed digits that NFKC-normalise to 127
    "http://①②⑦/",
    "http://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com/",  # fullwidth letters
    "http://[::1",
    "http://[::1]x/",
    "http://[zz]/",
    "http://[fe80::1%25eth0]/",
    "http://a b/",
    "http://example.com:99999/",
    "http://example.com:65536/",
    "http://example.com:0/",
    "http://example.com:-1/",
    "http://example.com:abc/",
    "http:///x",
    "http://:80/",
    "http://user@/",
    "http://user@example.com/",
    "http://:@example.com/",
    "http://example.com\\@evil.test/",
    "http://" + "a" * 64 + ".com/",  # a label past 63
    "http://" + "a." * 130 + "com/",  # a host past 253
    "http://example.com/" + "x" * 2048,  # past 2,048 characters
    "http://a..b/",
    "http://.../",
    "http://-a.com/",
    "http://xn--/",
    "https://",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "//example.com/x",
    "example.com/x",
    "",
]


@pytest.mark.parametrize("url", MALFORMED_URLS)
def test_a_malformed_url_is_a_validation_error_naming_the_field(url):
    with pytest.raises(http.OutboundError) as exc:
        http.validate_public_url(url, field="source_url")
    assert exc.value.code == "VALIDATION_ERROR"
    assert exc.value.status == 400
    assert exc.value.details["field"] == "source_url"
    assert exc.value.message.startswith("source_url: ")


@pytest.mark.parametrize("url", MALFORMED_URLS)
def test_resolve_public_refuses_a_malformed_url_with_an_outbound_error(url):
    with pytest.raises(http.OutboundError):
        http.resolve_public(url)


@pytest.mark.parametrize("value", [None, 42, ["http://example.com/"], {"u": 1}, b"http://x/"])
def test_a_url_that_is_not_a_string_is_a_validation_error(value):
    with pytest.raises(http.OutboundError) as exc:
        http.validate_public_url(value, field="audio_url")
    assert exc.value.details["field"] == "audio_url"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/",
        "https://EXAMPLE.com:8443/a/b?c=d#e",
        "https://cdn.example.com/clips/My%20Clip.mp4",
        "https://münchen.example/clip.mp4",  # a real IDN host
        "http://93.184.216.34/x",
        "http://[2606:2800:220:1:248:1893:25c8:1946]/x",
        "http://under_score.example.com/x",
        "http://example.com./x",
        "https://example.com/" + "x" * 2000,
        "https://example.com/My Clip.mp4",  # a space in the path is percent-encoded
    ],
)
def test_well_formed_urls_pass_the_syntax_check(url):
    assert http.validate_public_url(url, field="source_url").scheme in ("http", "https")


def _public_answer(host, port, *args, **kwargs):
    # No real DNS: every name the guard lets through "resolves" to a public address.
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]


@given(st.text(max_size=80) | st.text(max_size=60).map(lambda s: "http://" + s))
@hypothesis_settings(max_examples=400, deadline=None)
def test_resolve_public_raises_nothing_but_outbound_error_for_any_string(url):
    with (
        mock.patch.object(socket, "getaddrinfo", _public_answer),
        contextlib.suppress(http.OutboundError),
    ):
        http.resolve_public(url, field="video_url")


# --- addresses: IPv6 forms that carry an IPv4 address (issue 12, #7) ---------------------

REFUSED_ADDRESSES = [
    # IPv4
    "127.0.0.1",
    "127.255.255.254",
    "10.1.2.3",
    "172.31.255.255",
    "192.168.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.254",
    "0.0.0.0",
    "0.1.2.3",
    "192.0.0.8",
    "192.0.2.1",
    "198.18.0.1",
    "198.51.100.7",
    "203.0.113.9",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    # IPv6 itself
    "::",
    "::1",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",
    "ff02::1",
    "ff0e::1",
    "100::1",
    "2001:db8::1",
    "3fff::1",
    "5f00::1",
    # IPv4-compatible (::/96), any embedded address: deprecated
    "::127.0.0.1",
    "::7f00:1",
    "::10.0.0.1",
    "::8.8.8.8",
    "::169.254.169.254",
    # IPv4-mapped (::ffff:0:0/96)
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:100.64.0.1",
    "::ffff:0.0.0.0",
    # IPv4-translated (::ffff:0:0:0/96)
    "::ffff:0:7f00:1",
    "::ffff:0:a00:1",
    "::ffff:0:a9fe:a9fe",
    "::ffff:0:0:0",
    # NAT64, well-known prefix, with a non-global IPv4
    "64:ff9b::7f00:1",
    "64:ff9b::127.0.0.1",
    "64:ff9b::10.0.0.1",
    "64:ff9b::169.254.169.254",
    "64:ff9b::100.64.0.1",
    # NAT64, local-use prefix: always
    "64:ff9b:1::1",
    "64:ff9b:1:7f00:1::",
    "64:ff9b:1::808:808",
    # 6to4 with a non-global IPv4 (bits 16 to 48)
    "2002:7f00:1::",
    "2002:7f00:1::1",
    "2002:a00:1::1",
    "2002:a9fe:a9fe::1",
    "2002:c0a8:101::1",
    "2002::1",
    # Teredo: always
    "2001::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "2001:0:7f00:1::",
]

PUBLIC_ADDRESSES = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "2606:2800:220:1:248:1893:25c8:1946",
    "2001:4860:4860::8888",
    "::ffff:93.184.216.34",  # mapped public IPv4
    "::ffff:0:808:808",  # translated public IPv4
    "64:ff9b::8.8.8.8",  # NAT64 of a public IPv4: how IPv6-only networks reach v4 hosts
    "2002:808:808::1",  # 6to4 of a public IPv4
]


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_non_public_addresses_are_refused_in_every_form(address):
    assert not addresses._is_public(ipaddress.ip_address(address))
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(http.OutboundError, match="private or reserved"):
        http.resolve_public(f"http://{host}:8870/")


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_public_addresses_are_allowed(address):
    assert addresses._is_public(ipaddress.ip_address(address))


def test_the_ipv4_compatible_loopback_from_the_report_is_refused():
    with pytest.raises(http.OutboundError, match="private or reserved"):
        http.resolve_public("http://[::127.0.0.1]:8870/")


@pytest.mark.parametrize(
    "answer", ["::ffff:0:7f00:1", "::7f00:1", "2002:7f00:1::1", "fe80::1%eth0"]
)
def test_a_name_resolving_to_a_wrapped_loopback_is_refused(monkeypatch, answer):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (answer, port, 0, 0))
        ],
    )
    with pytest.raises(http.OutboundError, match="private or reserved"):
        http.resolve_public("http://wrapped.example/x")


@pytest.mark.parametrize(
    "host", ["2130706433", "0x7f.1", "0177.0.0.1", "0x7f.0.0.1", "017700000001", "127.1", "0"]
)
def test_integer_octal_and_hex_ipv4_forms_never_reach_the_resolver(monkeypatch, host):
    asked = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: asked.append(a) or [])
    with pytest.raises(http.OutboundError, match="four decimal numbers"):
        http.resolve_public(f"http://{host}/")
    assert asked == []
