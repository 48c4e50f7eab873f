"""The Studio opened pre-filled (?prompt=, ?model=, ?source=), through Django's test client:
the tab that offers the model, unknown models ignored, the source asset looked up in the
current workspace only (another tenant's id is ignored and never leaked), values escaped."""

import html
from urllib.parse import urlencode

import pytest
from django.test import Client

from apps.gallery import services
from apps.gallery.models import Asset
from apps.gallery.storage import unsign_token
from tests.dashboard.test_studio_pages import studio_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("studio_storage")]


def logged_in(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def open_studio(actor, **query):
    response = logged_in(actor).get("/studio/?" + urlencode(query))
    assert response.status_code == 200
    return response


def selected_tab(response) -> str:
    body = response.content.decode()
    start = body.index('data-initial-tab="') + len('data-initial-tab="')
    return body[start : body.index('"', start)]


def make(actor, path, **kwargs) -> Asset:
    return services.asset_create_from_file(
        workspace=actor.workspace, owner=actor.user, path=path, **kwargs
    )


def test_reuse_prompt_fills_the_prompt_and_picks_the_tab_that_offers_the_model(alice):
    response = open_studio(alice, prompt="A fox at dawn", model="local/image-to-video")
    prefill = studio_data(response)["prefill"]
    assert prefill["prompt"] == "A fox at dawn"
    assert prefill["model"] == "local/image-to-video"
    assert prefill["source"] is None and prefill["notice"] is None
    assert selected_tab(response) == "image-to-video"
    assert 'id="tab-image-to-video" data-tab="image-to-video" aria-selected="true"' in (
        response.content.decode()
    )


def test_a_process_model_opens_the_process_tab_on_its_operation(alice):
    response = open_studio(alice, model="local/enhance")
    prefill = studio_data(response)["prefill"]
    assert selected_tab(response) == "process"
    assert prefill["model"] == "local/enhance" and prefill["operation"] == "enhance"


@pytest.mark.parametrize("model", ["no/such-model", "", "   ", "LOCAL/TEXT-TO-VIDEO"])
def test_an_unknown_model_is_ignored_and_the_default_kept(alice, model):
    response = open_studio(alice, prompt="Keep me", model=model)
    prefill = studio_data(response)["prefill"]
    assert prefill["model"] is None and prefill["prompt"] == "Keep me"
    assert selected_tab(response) == "text-to-video"


def test_an_asked_tab_wins_and_a_model_it_does_not_offer_is_ignored(alice):
    response = open_studio(alice, tab="extend-video", model="local/text-to-video")
    assert selected_tab(response) == "extend-video"
    assert studio_data(response)["prefill"]["model"] is None


def test_the_prompt_is_escaped_and_stays_text(alice):
    hostile = '</script><script>alert("x")</script><img src=x onerror=alert(1)> & "q"'
    response = open_studio(alice, prompt=hostile)
    body = response.content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert studio_data(response)["prefill"]["prompt"] == hostile  # intact once parsed


def test_a_prompt_past_the_limit_is_cut_to_it(alice):
    response = open_studio(alice, prompt="x" * 5000)
    assert len(studio_data(response)["prefill"]["prompt"]) == 2000


def test_remix_uses_the_workspaces_own_asset_with_a_signed_preview(alice, mp4):
    clip = make(alice, mp4, title="Fox <b>clip</b>", prompt="A fox", model="local/text-to-video")
    response = open_studio(alice, tab="extend-video", source=clip.public_id, prompt="A fox")
    source = studio_data(response)["prefill"]["source"]
    assert selected_tab(response) == "extend-video"
    assert source["id"] == clip.public_id and source["kind"] == "video"
    assert source["name"] == "Fox <b>clip</b>"
    assert "<b>clip</b>" not in response.content.decode()  # escaped in the page
    assert source["format"] == "mp4" and source["duration_s"] == pytest.approx(2.0, abs=0.2)
    token = source["url"].rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    assert unsign_token(token)["k"] == clip.storage_key  # a signed link to this asset's file


def test_a_source_without_a_tab_opens_the_tab_for_its_kind(alice, png, mp4):
    still = make(alice, png)
    assert selected_tab(open_studio(alice, source=still.public_id)) == "image-to-video"
    clip = make(alice, mp4)
    assert selected_tab(open_studio(alice, source=clip.public_id)) == "extend-video"


def test_another_tenants_asset_is_ignored_with_a_notice_and_never_leaked(alice, charlie, mp4):
    theirs = make(charlie, mp4, title="Charlie's secret cut", prompt="Charlie only")
    response = open_studio(alice, tab="extend-video", source=theirs.public_id)
    prefill = studio_data(response)["prefill"]
    assert prefill["source"] is None
    assert prefill["notice"] and 'data-testid="prefill-notice"' in response.content.decode()
    body = html.unescape(response.content.decode())
    assert "Charlie's secret cut" not in body and "Charlie only" not in body
    assert theirs.storage_key not in body
    # The same words as for an id that exists nowhere: nothing tells the two apart.
    missing = studio_data(open_studio(alice, source="ast_" + "Z" * 20))["prefill"]
    assert missing["notice"] == prefill["notice"] and missing["source"] is None


@pytest.mark.parametrize(
    "source", ["job_abc", "ast_" + "a" * 500, "'; drop table x;--", "ast_é", "ast_a%00b"]
)
def test_a_malformed_source_is_ignored_not_an_error(alice, source):
    prefill = studio_data(open_studio(alice, source=source))["prefill"]
    assert prefill["source"] is None and prefill["notice"]


def test_a_nul_byte_in_the_query_is_refused_not_a_server_error(alice):
    for query in ("source=ast_%00abc", "model=local%2Ftext-to-video%00", "prompt=a%00b"):
        assert logged_in(alice).get("/studio/?" + query).status_code == 400


def test_no_query_means_no_prefill_and_no_notice(alice):
    response = open_studio(alice)
    prefill = studio_data(response)["prefill"]
    assert prefill == {
        "prompt": "",
        "model": None,
        "operation": None,
        "source": None,
        "notice": None,
    }
    assert "prefill-notice" not in response.content.decode()
