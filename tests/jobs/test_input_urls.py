"""Job input URLs (issue 12, #6 and #8): a malformed one is a 400 naming its field before
anything is fetched; a slow one ends the submit within GALLERY_FETCH_TIMEOUT_S."""

import threading
import time
from urllib.parse import urlsplit

import pytest

from apps.billing.models import CreditHold
from apps.jobs.models import Job
from tests.httpserver import serve
from tests.slowserver import dripping, dripping_url

EXTEND = {"method": "extend-video", "model": "local/extend-video", "duration": 2}
REPORTED = [
    "http://0177.0.0.1:8870/clip.mp4",
    "http://exa\tmple.com/clip.mp4",
    "http://①②⑦.0.0.1/clip.mp4",
    "http://[::1",
    "http://a b/",
    "http://example.com:99999/clip.mp4",
    "http://user@/",
    "http://" + "a" * 300 + ".com/",
    "http:///clip.mp4",
]


@pytest.mark.parametrize("url", REPORTED)
@pytest.mark.parametrize(
    "field", ["source_url", "audio_url", "end_image_url", "image_url", "video_url"]
)
def test_a_malformed_job_input_url_is_a_400_naming_its_field(alice_api, field, url):
    response = alice_api.post("/api/v1/generate", {**EXTEND, field: url}, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["field"] == field
    assert field in error["message"]
    assert not Job.objects.exists()


@pytest.mark.parametrize("url", REPORTED)
def test_a_malformed_process_source_url_is_a_400_naming_it(alice_api, url):
    body = {"operation": "enhance", "source_url": url}
    response = alice_api.post("/api/v1/process", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["details"]["field"] == "source_url"


def test_a_malformed_url_in_a_multipart_submit_is_a_400_naming_it(alice_api):
    body = {**EXTEND, "source_url": "http://①②⑦/clip.mp4"}
    response = alice_api.post("/api/v1/generate", body, format="multipart")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["details"]["field"] == "source_url"


@pytest.mark.parametrize("value", [42, ["http://example.com/a.mp4"], {"url": "x"}])
def test_a_job_input_url_that_is_not_a_string_is_a_400(alice_api, value):
    response = alice_api.post("/api/v1/generate", {**EXTEND, "source_url": value}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["details"]["field"] == "source_url"


def test_an_ipv4_compatible_loopback_source_url_is_refused(alice_api):
    body = {**EXTEND, "source_url": "http://[::127.0.0.1]:8870/clip.mp4"}
    response = alice_api.post("/api/v1/generate", body, format="json")
    assert response.status_code == 400
    assert "private or reserved" in response.json()["error"]["message"]


def test_a_source_url_dripping_bytes_ends_the_submit_within_the_cap(alice_api, settings):
    settings.GALLERY_FETCH_TIMEOUT_S = 2
    settings.OUTBOUND_MIN_RATE_BPS = 0  # the deadline alone
    with dripping_url(settings) as url:
        started = time.monotonic()
        response = alice_api.post("/api/v1/generate", {**EXTEND, "source_url": url}, format="json")
        took = time.monotonic() - started
    assert 2 <= took < 2 + 5  # the drip never ends: only the deadline stops it
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["retryable"]) == ("VALIDATION_ERROR", True)
    assert error["details"]["field"] == "source_url"
    assert error["details"]["reason"] == "timeout"
    assert not Job.objects.exists()
    assert not CreditHold.objects.exists()


def test_a_source_url_under_the_least_rate_is_cut_off_after_the_grace(alice_api, settings):
    settings.GALLERY_FETCH_TIMEOUT_S = 30
    settings.OUTBOUND_MIN_RATE_BPS = 1024
    settings.OUTBOUND_RATE_GRACE_S = 1
    with dripping_url(settings) as url:
        started = time.monotonic()
        response = alice_api.post("/api/v1/generate", {**EXTEND, "source_url": url}, format="json")
        took = time.monotonic() - started
    assert 1 <= took < 1 + 5
    assert response.status_code == 400
    assert response.json()["error"]["details"]["reason"] == "too_slow"


def test_all_url_inputs_of_one_submit_share_one_time_cap(alice_api, settings, png):
    settings.GALLERY_FETCH_TIMEOUT_S = 3
    settings.OUTBOUND_MIN_RATE_BPS = 0
    stop = threading.Event()

    def late_image(req):
        stop.wait(2.5)
        data = png.read_bytes()
        req.send_response(200)
        req.send_header("Content-Type", "image/png")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    routes = {"GET /still.png": late_image, "GET /voice.wav": dripping(stop)}
    try:
        with serve(routes) as base:
            settings.OUTBOUND_ALLOWED_NETLOCS = [urlsplit(base).netloc]
            started = time.monotonic()
            response = alice_api.post(
                "/api/v1/generate",
                {
                    "method": "lip-sync",
                    "model": "local/lip-sync",
                    "source_url": f"{base}/still.png",
                    "audio_url": f"{base}/voice.wav",
                    "resolution": "480p",
                },
                format="json",
            )
            took = time.monotonic() - started
    finally:
        stop.set()
    # 2.5 s for the image leaves 0.5 s for the audio, not another 3 s.
    assert 3 <= took < 3 + 5
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "audio_url"
