"""Gallery save-from-URL (issue 12, #6 and #8): a malformed URL is a 400 naming `url`; a
slow server ends the request within GALLERY_FETCH_TIMEOUT_S with nothing stored."""

import time

import pytest

from apps.gallery.models import Asset
from tests.gallery.conftest import stored_files
from tests.slowserver import dripping_url

GALLERY = "/api/v1/gallery"


@pytest.mark.parametrize(
    "url",
    [
        "http://0177.0.0.1:8870/clip.mp4",
        "http://exa\tmple.com/clip.mp4",
        "http://①②⑦.com/clip.mp4",  # passes Django's URLValidator, not IDNA 2008
        "http://①②⑦.0.0.1/clip.mp4",
        "http://[::1",
        "http://a b/",
        "http://example.com:99999/clip.mp4",
        "http://user@/",
        "http://user:pw@example.com/clip.mp4",
        "http://2130706433/clip.mp4",
        "http://" + "a" * 300 + ".com/",
        "ftp://example.com/clip.mp4",
    ],
)
def test_a_malformed_url_to_save_is_a_400_naming_url(alice_api, url):
    response = alice_api.post(GALLERY, {"url": url}, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert "url" in error["details"]["fields"]
    assert not Asset.objects.exists()


def test_an_ipv4_translated_loopback_url_is_refused(alice_api):
    response = alice_api.post(GALLERY, {"url": "http://[::ffff:0:7f00:1]/x.mp4"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    # An address literal is judged when the URL is checked, before any fetch.
    assert "url" in error["details"]["fields"]
    assert "private or reserved" in error["message"]


def test_a_url_dripping_bytes_ends_the_request_within_the_cap(alice_api, settings, local_storage):
    settings.GALLERY_FETCH_TIMEOUT_S = 2
    settings.OUTBOUND_MIN_RATE_BPS = 0  # the deadline alone
    with dripping_url(settings) as url:
        started = time.monotonic()
        response = alice_api.post(GALLERY, {"url": url}, format="json")
        took = time.monotonic() - started
    assert 2 <= took < 2 + 5  # the drip never ends: only the deadline stops it
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["retryable"]) == ("VALIDATION_ERROR", True)
    assert error["details"]["field"] == "url"
    assert error["details"]["reason"] == "timeout"
    assert not Asset.objects.exists()
    assert stored_files(local_storage) == []
