"""The public Models & pricing page and the admin overrides."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from apps.accounts.models import User
from apps.catalog.models import ModelOverride
from apps.catalog.registry import CATALOG
from apps.catalog.services import model_override_set

pytestmark = pytest.mark.django_db


def test_the_models_page_is_public_and_shows_every_model(client):
    response = client.get("/models/")
    assert response.status_code == 200
    html = response.content.decode()
    for spec in CATALOG.values():
        assert escape(spec.name) in html, spec.name
    assert "Text to video" in html and "Upscale / enhance" in html
    assert 'id="model-picker-data"' in html
    assert 'href="/models/"' in html  # reachable from the top bar when logged out


def test_the_models_page_filters(client):
    html = client.get("/models/", {"method": "upscale"}).content.decode()
    assert "FlashVSR upscaler" in html
    assert "Seedance Lite" not in html
    html = client.get("/models/", {"available": "true"}).content.decode()
    assert "Local Ken Burns" in html and "VEO 3 Fast" not in html


def test_signed_in_users_have_a_models_link(alice, client):
    client.force_login(alice.user)
    html = client.get("/models/").content.decode()
    assert '<a href="/models/">Models</a>' in html
    assert alice.user.email in html


def test_the_page_shows_an_admin_override(client):
    model_override_set(model_id="veo3-fast", featured=True, price_credits=70)
    html = client.get("/models/", {"provider": "google"}).content.decode()
    assert "featured" in html
    assert "70 credits per run" in html


def test_an_override_needs_a_catalogue_model():
    with pytest.raises(ValidationError):
        ModelOverride(model_id="not-a-model").full_clean()


@pytest.fixture
def staff_client(client):
    staff = User.objects.create_superuser(email="staff@example.com", password="pw-staff-1")
    client.force_login(staff)
    return client


def test_staff_manage_overrides_in_the_admin(staff_client):
    assert staff_client.get("/admin/catalog/modeloverride/add/").status_code == 200
    response = staff_client.post(
        "/admin/catalog/modeloverride/add/",
        {
            "model_id": "kling-2.0",
            "enabled": "",
            "featured": "on",
            "price_credits": "9",
            "price_unit": "per_second",
            "note": "provider outage",
        },
    )
    assert response.status_code == 302
    override = ModelOverride.objects.get(model_id="kling-2.0")
    assert (override.enabled, override.featured, override.price_credits) == (False, True, 9)
    listing = staff_client.get("/admin/catalog/modeloverride/", {"q": "outage"})
    assert "kling-2.0" in listing.content.decode() and "Kling 2.0" in listing.content.decode()
    assert (
        staff_client.get("/admin/catalog/modeloverride/", {"enabled__exact": "0"}).status_code
        == 200
    )


def test_an_admin_price_override_changes_the_estimate_without_a_deploy(anon_api):
    url = "/api/v1/estimate-cost"
    fields = {"model": "kling-2.1-standard", "duration": 10}
    assert anon_api.post(url, fields, format="json").json()["estimated_credits"] == 70
    model_override_set(model_id="kling-2.1-standard", price_credits=5, price_unit="per_second")
    body = anon_api.post(url, fields, format="json").json()
    assert body["estimated_credits"] == 50
    assert body["confidence"] == "high"
    assert body["breakdown"]["price_override"] is True
