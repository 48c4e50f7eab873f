"""The hosted backend against a local server speaking OpenAI's moderation wire format,
including the fallback to the rules when it fails."""

import json
from types import SimpleNamespace

import openai
import pytest

from apps.core.errors import ApplicationError
from apps.jobs.models import Job
from apps.moderation.models import ModerationCase
from apps.moderation.screening import job_screener, screen
from tests.gallery.mediafiles import make_png
from tests.httpserver import serve
from tests.jobs.conftest import TEXT_JOB

pytestmark = pytest.mark.django_db

CATEGORIES = [
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
]


class FakeModeration:
    """POST /v1/moderations: scores from `self.scores`, or `self.status` as an error."""

    def __init__(self) -> None:
        self.scores: dict[str, float] = {}
        self.status = 200
        self.override: dict | None = None
        self.requests: list[dict] = []

    def __call__(self, handler) -> None:
        body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
        self.requests.append({"body": body, "auth": handler.headers.get("Authorization")})
        if self.status != 200:
            payload = {"error": {"message": "overloaded", "type": "server_error"}}
        else:
            scores = {c: self.scores.get(c, 0.0001) for c in CATEGORIES}
            payload = {
                "id": "modr-test",
                "model": body.get("model", "omni-moderation-latest"),
                "results": [
                    {
                        "flagged": any(s >= 0.5 for s in scores.values()),
                        "categories": {c: s >= 0.5 for c, s in scores.items()},
                        "category_scores": scores,
                        "category_applied_input_types": {c: ["text"] for c in CATEGORIES},
                    }
                ],
            }
        data = json.dumps(self.override if self.override is not None else payload).encode()
        handler.send_response(self.status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


@pytest.fixture
def hosted(settings):
    fake = FakeModeration()
    with serve({"POST /v1/moderations": fake}) as base:
        settings.MODERATION_BACKEND = "openai"
        settings.OPENAI_API_KEY = "sk-test-moderation"
        settings.MODERATION_OPENAI_API_BASE = base
        fake.base = base
        yield fake


def test_the_fake_speaks_the_official_clients_wire_format(hosted):
    hosted.scores = {"violence/graphic": 0.7}
    client = openai.OpenAI(base_url=f"{hosted.base}/v1", api_key="sk-test", max_retries=0)
    result = client.moderations.create(model="omni-moderation-latest", input="a duel").results[0]
    assert result.category_scores.violence_graphic == pytest.approx(0.7)
    assert result.flagged is True


def test_scores_map_to_review_and_the_request_is_well_formed(hosted, alice):
    hosted.scores = {"violence/graphic": 0.6, "violence": 0.3}
    response = alice.api.post(
        "/api/v1/generate", {**TEXT_JOB, "prompt": "a duel at noon"}, format="json"
    )
    assert response.status_code == 202, response.json()
    assert Job.objects.get().status == "review"
    case = ModerationCase.objects.get()
    assert case.categories == ["violence_graphic"]
    assert case.scores == {"violence_graphic": 0.6}
    assert case.backend.startswith("openai")
    sent = hosted.requests[0]
    assert sent["auth"] == "Bearer sk-test-moderation"
    assert sent["body"]["model"] == "omni-moderation-latest"
    assert sent["body"]["input"] == [{"type": "text", "text": "a duel at noon"}]


def test_a_score_over_the_block_threshold_refuses_the_submit(hosted, alice):
    hosted.scores = {"sexual/minors": 0.4}  # its own, lower thresholds
    response = alice.api.post("/api/v1/generate", {**TEXT_JOB, "prompt": "..."}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "CONTENT_POLICY"
    assert "sexual_minors" in response.json()["error"]["message"]
    assert not Job.objects.exists()


def test_low_scores_allow(hosted):
    hosted.scores = {"violence": 0.2}
    assert screen(text="a sword fight").decision == "allow"


def test_input_images_are_sent_as_image_url_parts(hosted, tmp_path):
    png = make_png(tmp_path / "still.png", width=1600, height=900)
    inputs = {"image": SimpleNamespace(role="image", path=png, asset=None)}
    assert job_screener(prompt="a cat", inputs=inputs) == "allow"
    parts = hosted.requests[0]["body"]["input"]
    assert parts[0] == {"type": "text", "text": "a cat"}
    assert parts[1]["type"] == "image_url"
    assert parts[1]["image_url"]["url"].startswith("data:image/jpeg;base64,")


def test_the_operators_lists_still_apply_on_top(hosted):
    verdict = screen(text="ch1ld p0rn")  # the fake scores it harmless
    assert verdict.decision == "block"
    assert verdict.top_category == "sexual_minors"


def test_an_error_falls_back_to_the_rules_and_is_logged(hosted, caplog):
    hosted.status = 500
    allowed = screen(text="A red fox at dawn")
    assert (allowed.decision, allowed.backend) == ("allow", "rules (fallback)")
    review = screen(text="a g0ry duel")
    assert (review.decision, review.categories) == ("review", ["violence_graphic"])
    with pytest.raises(ApplicationError) as exc:
        job_screener(prompt="child porn")
    assert exc.value.code == "CONTENT_POLICY"
    assert "using the rules" in caplog.text


def test_an_unreachable_endpoint_falls_back_too(settings):
    settings.MODERATION_BACKEND = "openai"
    settings.OPENAI_API_KEY = "sk-test"
    settings.MODERATION_OPENAI_API_BASE = "http://127.0.0.1:9"  # discard port: refused
    assert screen(text="kill").decision == "review"


def test_without_a_key_the_rules_decide(settings):
    settings.MODERATION_BACKEND = "openai"
    settings.OPENAI_API_KEY = ""
    assert screen(text="kill").backend == "rules"


def test_a_malformed_answer_falls_back_instead_of_allowing(hosted):
    hosted.override = {"unexpected": True}
    verdict = screen(text="a g0ry duel")
    assert (verdict.decision, verdict.backend) == ("review", "rules (fallback)")
