import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from apps.catalog.services import model_override_set

BASE = "/compat/veo3/api/v1"


@pytest.fixture(scope="session")
def jpeg(tmp_path_factory) -> Path:
    """The spec's `input.jpg`."""
    path = tmp_path_factory.mktemp("veo3-src") / "input.jpg"
    img = Image.new("RGB", (640, 360))
    for x in range(0, 640, 40):
        img.paste((x % 256, 120, 255 - x % 256), (x, 0, x + 40, 360))
    img.save(path, "JPEG")
    return path


@pytest.fixture(scope="session")
def image_b64(jpeg) -> str:
    return base64.b64encode(jpeg.read_bytes()).decode()


def png_b64(width: int = 64, height: int = 36) -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def priced(db):
    """Local Ken Burns at 5 credits a run, so a job really holds and charges."""
    model_override_set(model_id="local/image-to-video", price_credits=5)
    return 5
