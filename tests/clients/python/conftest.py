"""The Python client against the real app: a live server and a real Celery worker
(`live_stack`), on PostgreSQL."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from reelsmith import Reelsmith

from apps.accounts.models import Tier
from apps.billing.models import CreditAccount
from apps.billing.services import credits_grant
from apps.catalog.services import model_override_set
from tests.gallery.mediafiles import make_mp4, make_png

PRICE = 7  # credits a run of the priced local animatic


@pytest.fixture(scope="session")
def client_media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("client-src")


@pytest.fixture(scope="session")
def clip(client_media) -> Path:
    return make_mp4(client_media / "clip.mp4", width=640, height=360, seconds=2.0)


@pytest.fixture(scope="session")
def still(client_media) -> Path:
    return make_png(client_media / "still.png", width=640, height=360)


@pytest.fixture
def client(alice, live_stack) -> Iterator[Reelsmith]:
    with Reelsmith(api_key=alice.key, base_url=live_stack.url, poll_interval=0.5) as c:
        yield c


@pytest.fixture
def priced(db) -> int:
    """The local animatic at 7 credits a run (an admin price override), so a job that
    really runs also really holds and charges credits."""
    model_override_set(model_id="local/text-to-video", price_credits=PRICE)
    return PRICE


def fund(workspace, credits: int) -> None:
    credits_grant(workspace=workspace, credits=credits, idempotency_key=f"fund:{workspace.pk}")


def account(workspace) -> tuple[int, int]:
    acc = CreditAccount.objects.get(workspace=workspace)
    return acc.balance, acc.held


def own_tier(workspace, **limits) -> Tier:
    """Gives the workspace a tier of its own with these limits (the shared tier rows are
    left alone)."""
    tier = Tier.objects.get(pk=workspace.tier_id)
    tier.pk = None
    tier.name = f"client-test-{workspace.pk}"
    for name, value in limits.items():
        setattr(tier, name, value)
    tier.save()
    workspace.tier = tier
    workspace.save(update_fields=["tier"])
    return tier


def probe(path: Path) -> tuple[float, int, int, str]:
    """(duration s, width, height, container) of a real media file, read by PyAV."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert container.duration is not None
        return (
            float(container.duration / av.time_base),
            stream.codec_context.width,
            stream.codec_context.height,
            container.format.name,
        )


def cli_env(key: str, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REELSMITH_")}
    env.update(REELSMITH_API_KEY=key, REELSMITH_BASE_URL=url, PYTHONUNBUFFERED="1")
    return env


def cli_command() -> list[str]:
    """The installed `reelsmith` console script of this interpreter's environment."""
    script = Path(sys.executable).parent / "reelsmith"
    assert script.exists(), "the reelsmith command is not installed (make install)"
    return [str(script)]
