"""Screening backends behind one interface, and the screener jobs call on submit.

A backend judges a text (and, where it can, images) and returns a Verdict: allow, review
or block, with the categories hit and their scores (0..1). MODERATION_BACKEND picks
"rules" (the built-in term lists, editable in the admin) or "openai" (the hosted
moderation endpoint; any error falls back to the rules, logged)."""

import base64
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from django.conf import settings
from PIL import Image

from apps.core.errors import ApplicationError, ErrorCode
from apps.moderation.models import TERMS, Decision, TermAction
from apps.moderation.normalize import find_term, mask_terms, normalize

logger = logging.getLogger(__name__)

_SEVERITY = {Decision.ALLOW: 0, Decision.REVIEW: 1, Decision.BLOCK: 2}
# Images are shrunk to this many pixels on the long side before they are sent.
IMAGE_SIDE = 768


@dataclass
class Verdict:
    decision: str = Decision.ALLOW
    categories: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    backend: str = ""
    # What each category alone would decide (the most severe one names a block).
    by_category: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for cat in self.categories:
            self.by_category.setdefault(cat, self.decision)

    @property
    def top_category(self) -> str:
        """The category that decided the verdict: most severe, then highest score."""
        if not self.categories:
            return ""
        return max(
            self.categories,
            key=lambda c: (
                _SEVERITY[self.by_category.get(c, Decision.REVIEW)],
                self.scores.get(c, 0.0),
            ),
        )

    def merge(self, other: "Verdict") -> "Verdict":
        """The stricter of two verdicts, with both sets of categories and scores."""
        decision = max(self.decision, other.decision, key=lambda d: _SEVERITY[d])
        scores = dict(self.scores)
        for cat, score in other.scores.items():
            scores[cat] = max(score, scores.get(cat, 0.0))
        categories = list(dict.fromkeys([*self.categories, *other.categories]))
        backends = "+".join(b for b in (self.backend, other.backend) if b)
        by_category = dict(self.by_category)
        for cat, d in other.by_category.items():
            by_category[cat] = max(d, by_category.get(cat, d), key=lambda x: _SEVERITY[x])
        return Verdict(decision, categories, scores, backends, by_category)


class ScreeningResult(str):
    """What the job screener returns: the plain verdict string jobs compares ("allow" /
    "review") that also carries the full Verdict for `case_open_for_job`."""

    verdict: Verdict

    def __new__(cls, verdict: Verdict) -> "ScreeningResult":
        obj = super().__new__(cls, verdict.decision)
        obj.verdict = verdict
        return obj


class Backend(Protocol):
    name: str

    def screen(self, *, text: str, images: list[bytes] | None = None) -> Verdict: ...


class RulesBackend:
    """The ModerationTerm lists. Images cannot be judged by words: they pass.

    Allowed idioms and film terms ("kill the lights", "the naked eye") are blanked out
    before the review entries are matched, so film language passes while the same word
    anywhere else in the prompt is still found; block entries always see the whole text.
    """

    name = "rules"

    def screen(self, *, text: str, images: list[bytes] | None = None) -> Verdict:
        verdict = Verdict(backend=self.name)
        if not text.strip():
            return verdict
        normalized = normalize(text)
        terms = TERMS.get()
        allowed = [(term, is_regex) for _, term, is_regex, a in terms if a == TermAction.ALLOW]
        masked = mask_terms(normalized, allowed) if allowed else normalized
        for category, term, is_regex, action in terms:
            if action == TermAction.ALLOW:
                continue
            if not find_term(normalized if action == TermAction.BLOCK else masked, term, is_regex):
                continue
            decision = Decision.BLOCK if action == TermAction.BLOCK else Decision.REVIEW
            verdict = verdict.merge(Verdict(decision, [category], {category: 1.0}))
            verdict.backend = self.name
        return verdict


def _category(name: str) -> str:
    """OpenAI's "sexual/minors", "self-harm" -> our "sexual_minors", "self_harm"."""
    return name.replace("/", "_").replace("-", "_")


class OpenAIBackend:
    """OpenAI's moderation endpoint (POST {base}/v1/moderations). Category scores map to
    review / block through MODERATION_OPENAI_*_THRESHOLD and the per-category overrides."""

    name = "openai"

    def __init__(self, *, api_key: str, base_url: str, model: str, timeout_s: float) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout_s = timeout_s

    def _payload(self, text: str, images: list[bytes]) -> dict[str, Any]:
        parts: list[dict[str, Any]] = []
        if text.strip():
            parts.append({"type": "text", "text": text})
        for data in images:
            url = "data:image/jpeg;base64," + base64.b64encode(data).decode()
            parts.append({"type": "image_url", "image_url": {"url": url}})
        return {"model": self.model, "input": parts}

    def screen(self, *, text: str, images: list[bytes] | None = None) -> Verdict:
        images = images or []
        if not text.strip() and not images:
            return Verdict(backend=self.name)
        response = httpx.post(
            f"{self.base_url}/v1/moderations",
            json=self._payload(text, images),
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=self.timeout_s,
        )
        response.raise_for_status()
        results = response.json()["results"]
        verdict = Verdict(backend=self.name)
        for result in results:
            for name, score in (result.get("category_scores") or {}).items():
                score = float(score)
                review, block = thresholds(name)
                cat = _category(name)
                if score >= review:
                    decision = Decision.BLOCK if score >= block else Decision.REVIEW
                    verdict = verdict.merge(Verdict(decision, [cat], {cat: round(score, 4)}))
                    verdict.backend = self.name
        return verdict


def thresholds(openai_category: str) -> tuple[float, float]:
    """(review, block) score thresholds for one of OpenAI's categories."""
    override = settings.MODERATION_OPENAI_CATEGORY_THRESHOLDS.get(openai_category, {})
    return (
        float(override.get("review", settings.MODERATION_OPENAI_REVIEW_THRESHOLD)),
        float(override.get("block", settings.MODERATION_OPENAI_BLOCK_THRESHOLD)),
    )


def get_backend() -> Backend:
    if settings.MODERATION_BACKEND == "openai" and settings.OPENAI_API_KEY:
        return OpenAIBackend(
            api_key=settings.OPENAI_API_KEY,
            base_url=settings.MODERATION_OPENAI_API_BASE or "https://api.openai.com",
            model=settings.MODERATION_OPENAI_MODEL,
            timeout_s=settings.MODERATION_OPENAI_TIMEOUT_S,
        )
    return RulesBackend()


def screen(*, text: str, images: list[bytes] | None = None) -> Verdict:
    """The configured backend's verdict. The hosted backend's failures never block a
    submit: they are logged and the rules decide. With MODERATION_OPENAI_WITH_RULES the
    operator's term lists apply on top of the hosted verdict."""
    backend = get_backend()
    rules = RulesBackend()
    if isinstance(backend, RulesBackend):
        return rules.screen(text=text)
    try:
        verdict = backend.screen(text=text, images=images)
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        logger.warning("moderation backend %s failed (%s); using the rules", backend.name, exc)
        verdict = rules.screen(text=text)
        verdict.backend = f"{rules.name} (fallback)"
        return verdict
    if settings.MODERATION_OPENAI_WITH_RULES:
        verdict = verdict.merge(rules.screen(text=text))
    return verdict


# --- the job screener ---------------------------------------------------------------------


def _image_bytes(item: Any) -> bytes | None:
    """A submit input (apps.jobs' JobInputFile, duck-typed: role, path, asset) as a small
    JPEG, or None when it is not an image we can read."""
    if getattr(item, "role", "") not in ("image", "end_image"):
        return None
    try:
        path = getattr(item, "path", None)
        asset = getattr(item, "asset", None)
        if path is not None:
            source: Any = Path(path).open("rb")  # noqa: SIM115 (closed by the with below)
        elif asset is not None and asset.storage_key:
            from apps.gallery import storage

            source = storage.get_storage().open(asset.storage_key, "rb")
        else:
            return None
        with source, Image.open(source) as img:
            img.thumbnail((IMAGE_SIDE, IMAGE_SIDE))
            out = io.BytesIO()
            img.convert("RGB").save(out, format="JPEG", quality=85)
            return out.getvalue()
    except Exception:
        logger.exception("could not read an input image for screening")
        return None


def block_error(verdict: Verdict, *, what: str = "prompt") -> ApplicationError:
    category = verdict.top_category or "content_policy"
    return ApplicationError(
        f"The {what} was refused by the content policy (category: {category}).",
        code=ErrorCode.CONTENT_POLICY,
        status=400,
        details={"category": category, "categories": verdict.categories},
    )


def job_screener(*, prompt: str, inputs: dict[str, Any] | None = None) -> ScreeningResult:
    """Screens a job on submit (apps/jobs calls it): raises CONTENT_POLICY (400) to block,
    else returns "allow" or "review" (a ScreeningResult carrying the Verdict)."""
    needs_images = settings.MODERATION_BACKEND == "openai" and settings.OPENAI_API_KEY
    images = [
        data
        for item in (inputs or {}).values()
        if needs_images and (data := _image_bytes(item)) is not None
    ]
    verdict = screen(text=prompt, images=images)
    if verdict.decision == Decision.BLOCK:
        raise block_error(verdict)
    return ScreeningResult(verdict)
