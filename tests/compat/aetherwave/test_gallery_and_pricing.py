"""save-to-gallery (an outside URL is fetched through the SSRF guard and kept; visibility
as the spec has it) and pricing (the catalog's own prices, overrides included). Also
keeps the copy of the spec's examples the live tests run true to the spec."""

from http.server import BaseHTTPRequestHandler

import pytest
from rest_framework.test import APIClient

from apps.catalog.services import model_override_set
from apps.gallery.models import Asset
from tests.compat.aetherwave.conftest import BASE, PYTHON_BLOCK, SPEC_CANDIDATES, spec_examples
from tests.httpserver import serve

pytestmark = pytest.mark.django_db


def test_the_copied_examples_match_the_spec():
    spec = next((p for p in SPEC_CANDIDATES if p.exists()), None)
    if spec is None:
        pytest.skip("spec 003 is not checked out beside this repository")
    assert spec_examples() == PYTHON_BLOCK.findall(spec.read_text())
    assert len(spec_examples()) == 2


@pytest.fixture
def origin(settings, mp4, png):
    """An outside web server with a video and an image, let through the SSRF guard."""

    def sender(path, content_type):
        def send(handler: BaseHTTPRequestHandler) -> None:
            data = path.read_bytes()
            handler.send_response(200)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)

        return send

    routes = {"GET /neon.mp4": sender(mp4, "video/mp4"), "GET /still.png": sender(png, "image/png")}
    with serve(routes) as url:
        settings.OUTBOUND_ALLOWED_NETLOCS = [url.split("//")[1]]
        yield url


def test_save_to_gallery_fetches_an_outside_url_and_keeps_it(aw, alice, media_storage, origin):
    body = {
        "mediaUrl": f"{origin}/neon.mp4",
        "mediaType": "video",
        "prompt": "Cinematic aerial shot of a neon city",
        "model": "seedance-lite-t2v",
        "title": "Neon City",
        "visibility": "unlisted",
    }
    response = aw.post(f"{BASE}/api/save-to-gallery", body, format="json")
    assert response.status_code == 201, response.json()
    answer = response.json()
    asset = Asset.objects.get(public_id=answer["id"])
    assert asset.workspace == alice.workspace and asset.saved
    assert (asset.kind, asset.title, asset.visibility) == ("video", "Neon City", "unlisted")
    assert (asset.prompt, asset.model) == (body["prompt"], "seedance-lite-t2v")
    assert answer["mediaType"] == "video" and answer["mediaUrl"].startswith("http")
    listed = alice.api.get("/api/v1/gallery?saved=true").json()["results"]
    assert [a["id"] for a in listed] == [asset.public_id]


def test_a_public_save_waits_for_moderation_before_it_is_listed(aw, media_storage, origin):
    body = {"mediaUrl": f"{origin}/neon.mp4", "title": "Neon City", "visibility": "public"}
    response = aw.post(f"{BASE}/api/save-to-gallery", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["visibility"] == "public"
    asset = Asset.objects.get(public_id=response.json()["id"])
    assert asset.moderation_state in ("pending", "approved")
    public = APIClient().get("/api/v1/gallery/public").json()["results"]
    assert (asset.public_id in [a["id"] for a in public]) == (asset.moderation_state == "approved")


def test_save_to_gallery_refuses_media_of_another_type_than_said(aw, media_storage, origin):
    body = {"mediaUrl": f"{origin}/still.png", "mediaType": "video"}
    response = aw.post(f"{BASE}/api/save-to-gallery", body, format="json")
    assert response.status_code in (400, 415), response.json()
    assert not Asset.objects.exists()


def test_pricing_is_the_catalogs_for_every_model(aw, alice):
    model_override_set(model_id="local/text-to-video", price_credits=9)
    ours = {m["id"]: m for m in alice.api.get("/api/v1/models").json()["results"]}
    answer = aw.get(f"{BASE}/api/video/pricing")
    assert answer.status_code == 200
    theirs = answer.json()
    assert theirs["unit"] == "credits"
    assert set(theirs["models"]) == set(ours)
    for model_id, entry in theirs["models"].items():
        assert entry["pricing"] == ours[model_id]["pricing"], model_id
        assert entry["available"] == ours[model_id]["available"]
    assert theirs["models"]["local/text-to-video"]["pricing"]["override"]["credits"] == 9
    seedance = theirs["models"]["seedance-lite-t2v"]["pricing"]
    assert seedance["rates"] == [{"resolution": None, "credits": 3}]  # the spec's 3/sec
    assert (
        theirs["models"]["wavespeed-ai/video-background-remover"]["pricing"]["rates"][0]["credits"]
        == 20
    )
