"""Files derived from a video asset (sprite sheet, last frame): made once under the
asset's prefix, reused after, refused for anything but a video."""

import pytest
from PIL import Image

from apps import media
from apps.core.errors import ApplicationError
from apps.gallery.models import Asset
from apps.gallery.objects import (
    LAST_FRAME_NAME,
    SPRITESHEET_NAME,
    asset_last_frame_key,
    asset_spritesheet_key,
)
from tests.gallery.test_gallery_api import uploaded

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("derive", "name", "image_format"),
    [
        (asset_spritesheet_key, SPRITESHEET_NAME, "JPEG"),
        (asset_last_frame_key, LAST_FRAME_NAME, "PNG"),
    ],
)
def test_a_derived_file_is_made_once_under_the_assets_prefix(
    alice, mp4, local_storage, monkeypatch, derive, name, image_format
):
    asset = Asset.objects.get(public_id=uploaded(alice.api, mp4)["id"])
    key = derive(asset)
    assert key == asset.key_prefix + name
    with Image.open(local_storage / key) as made:
        assert made.format == image_format
    # Asked again: the stored file, nothing made anew.
    monkeypatch.setattr(media, "sprite_sheet", None)
    monkeypatch.setattr(media, "extract_last_frame", None)
    assert derive(asset) == key


@pytest.mark.parametrize(
    ("derive", "what"),
    [(asset_spritesheet_key, "a sprite sheet"), (asset_last_frame_key, "a last frame")],
)
def test_only_a_video_has_derived_files(alice, png, local_storage, derive, what):
    asset = Asset.objects.get(public_id=uploaded(alice.api, png)["id"])
    with pytest.raises(ApplicationError) as caught:
        derive(asset)
    assert (caught.value.status, caught.value.code) == (400, "VALIDATION_ERROR")
    assert caught.value.message == f"Only a video has {what}."
