"""A fetch ends by its deadline and its least rate, whatever the server does (issue 12, #8):
real local servers that drip bytes, stall, or never answer, with small caps."""

import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

import pytest

from apps.core import http
from apps.core.http import budget
from tests.httpserver import serve
from tests.slowserver import dripping

MARGIN_S = 5.0  # scheduling slack on a loaded 2-core machine; the drips never end, so
# any bound proves the deadline cut them


def silent(stop: threading.Event):
    def handler(req):
        stop.wait(30)  # reads the request, never answers

    return handler


@pytest.fixture
def stop():
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def no_rate_floor(settings):
    settings.OUTBOUND_MIN_RATE_BPS = 0


def timed_fetch(tmp_path, url, **kwargs):
    started = time.monotonic()
    with pytest.raises(http.OutboundError) as exc:
        http.fetch_to_file(url, dest=tmp_path / "f", max_bytes=10**6, **kwargs)
    return exc.value, time.monotonic() - started


def test_a_body_dripping_a_byte_at_a_time_ends_at_the_deadline(
    tmp_path, settings, stop, no_rate_floor
):
    with serve({"GET /drip": dripping(stop)}) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [urlsplit(base).netloc]
        error, took = timed_fetch(tmp_path, f"{base}/drip", timeout_s=2, field="source_url")
    assert 2 <= took < 2 + MARGIN_S
    assert (error.code, error.status, error.retryable) == ("VALIDATION_ERROR", 400, True)
    assert error.details["reason"] == "timeout"
    assert error.details["field"] == "source_url"
    assert not (tmp_path / "f").exists()


def test_headers_dripping_a_byte_at_a_time_end_at_the_deadline(
    tmp_path, settings, stop, no_rate_floor
):
    with serve({"GET /drip": dripping(stop, headers=True)}) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [urlsplit(base).netloc]
        error, took = timed_fetch(tmp_path, f"{base}/drip", timeout_s=2)
    assert 2 <= took < 2 + MARGIN_S
    assert error.details["reason"] == "timeout"


def test_a_server_that_never_answers_ends_at_the_deadline(tmp_path, settings, stop):
    with serve({"GET /silent": silent(stop)}) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [urlsplit(base).netloc]
        error, took = timed_fetch(tmp_path, f"{base}/silent", timeout_s=1.5)
    assert 1.5 <= took < 1.5 + MARGIN_S
    assert error.details["reason"] == "timeout"


def test_a_server_below_the_least_rate_is_cut_off_after_the_grace_period(tmp_path, settings, stop):
    settings.OUTBOUND_MIN_RATE_BPS = 1000
    settings.OUTBOUND_RATE_GRACE_S = 1.0
    with serve({"GET /drip": dripping(stop)}) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [urlsplit(base).netloc]
        error, took = timed_fetch(tmp_path, f"{base}/drip", timeout_s=30)
    assert 1.0 <= took < 1.0 + MARGIN_S
    assert error.details["reason"] == "too_slow"
    assert error.retryable


def test_a_server_that_stalls_after_its_headers_is_cut_off_by_the_rate_floor(
    tmp_path, settings, stop
):
    settings.OUTBOUND_MIN_RATE_BPS = 1000
    settings.OUTBOUND_RATE_GRACE_S = 1.0

    def stalls(req):
        req.send_response(200)
        req.send_header("Content-Length", "1000")
        req.end_headers()
        req.wfile.flush()
        stop.wait(30)

    with serve({"GET /stall": stalls}) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [urlsplit(base).netloc]
        error, took = timed_fetch(tmp_path, f"{base}/stall", timeout_s=30)
    # Not the 30 s read timeout: the floor knows when the average must fall under it.
    assert 1.0 <= took < 1.0 + MARGIN_S
    assert error.details["reason"] == "too_slow"


def test_a_fast_download_is_untouched_by_the_rate_floor(tmp_path, settings):
    settings.OUTBOUND_MIN_RATE_BPS = 1000
    settings.OUTBOUND_RATE_GRACE_S = 0.0

    def body(req):
        req.send_response(200)
        req.send_header("Content-Length", str(300_000))
        req.end_headers()
        req.wfile.write(b"z" * 300_000)

    with serve({"GET /fast": body}) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [urlsplit(base).netloc]
        result = http.fetch_to_file(f"{base}/fast", dest=tmp_path / "f", max_bytes=10**6)
    assert result.size_bytes == 300_000


def test_the_deadline_spans_redirect_hops(tmp_path, settings, stop, no_rate_floor):
    def slow_redirect(req):
        stop.wait(0.8)
        req.send_response(302)
        req.send_header("Location", "/again")
        req.send_header("Content-Length", "0")
        req.end_headers()

    with serve({"GET /again": slow_redirect}) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [urlsplit(base).netloc]
        error, took = timed_fetch(tmp_path, f"{base}/again", timeout_s=2)
    assert 2 <= took < 2 + MARGIN_S
    assert error.details["reason"] == "timeout"


def test_slow_dns_is_bounded_by_the_deadline(tmp_path, monkeypatch):
    def slow_resolver(host, port, *args, **kwargs):
        time.sleep(5)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(socket, "getaddrinfo", slow_resolver)
    error, took = timed_fetch(tmp_path, "http://slow-dns.example/x", timeout_s=1)
    assert 1 <= took < 1 + MARGIN_S
    assert error.details["reason"] == "timeout"


# --- the same over TLS: the pinned connection verifies the name, the deadline still holds --


@pytest.fixture(scope="module")
def tls_pair(tmp_path_factory):
    """A self-signed certificate for media.test: (server context, client context)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "media.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("media.test")]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    client = ssl.create_default_context(cafile=str(folder / "cert.pem"))
    return server, client


@pytest.fixture
def media_test_host(monkeypatch, tls_pair):
    """media.test resolves to 127.0.0.1 and its certificate is trusted."""
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        return real("127.0.0.1" if host == "media.test" else host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setattr(budget, "_ssl_context", lambda: tls_pair[1])
    return tls_pair[0]


def test_an_https_fetch_is_pinned_and_verifies_the_name(tmp_path, settings, media_test_host):
    def ok(req):
        req.send_response(200)
        req.send_header("Content-Length", "2")
        req.end_headers()
        req.wfile.write(b"ok")

    with serve({"GET /a": ok}, tls=media_test_host) as base:
        port = urlsplit(base).port
        settings.OUTBOUND_ALLOWED_NETLOCS = [f"media.test:{port}"]
        result = http.fetch_to_file(
            f"https://media.test:{port}/a", dest=tmp_path / "f", max_bytes=100
        )
        assert result.size_bytes == 2
        # The same server under a name its certificate does not carry: refused.
        settings.OUTBOUND_ALLOWED_NETLOCS = [f"127.0.0.1:{port}"]
        with pytest.raises(http.OutboundError, match="Could not fetch"):
            http.fetch_to_file(f"{base}/a", dest=tmp_path / "g", max_bytes=100)


def test_an_https_body_dripping_ends_at_the_deadline(
    tmp_path, settings, stop, no_rate_floor, media_test_host
):
    with serve({"GET /drip": dripping(stop)}, tls=media_test_host) as base:
        port = urlsplit(base).port
        settings.OUTBOUND_ALLOWED_NETLOCS = [f"media.test:{port}"]
        error, took = timed_fetch(tmp_path, f"https://media.test:{port}/drip", timeout_s=2)
    assert 2 <= took < 2 + MARGIN_S
    assert error.details["reason"] == "timeout"
