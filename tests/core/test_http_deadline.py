"""A fetch ends by its deadline and its least rate, whatever the server does (issue 12, #8):
real local servers that drip bytes, stall, or never answer, with small caps."""

import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from apps.core import http
from tests.httpserver import serve
from tests.slowserver import dripping

MARGIN_S = 1.5  # scheduling slack on a loaded 2-core machine


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
