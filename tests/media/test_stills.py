import numpy as np
from PIL import Image

from apps.media import extract_last_frame, sprite_sheet, thumbnail
from tests.media.conftest import frame_index


def test_thumbnail_is_a_poster_image_at_the_requested_time(clip, tmp_path):
    info = thumbnail(src=clip, dst=tmp_path / "poster.png", at=1.0)
    assert (info.kind, info.container, info.width, info.height) == ("image", "png", 640, 360)
    assert frame_index(np.asarray(Image.open(info.path).convert("RGB"))) == 24


def test_thumbnail_can_be_a_small_jpeg(clip, tmp_path):
    info = thumbnail(src=clip, dst=tmp_path / "poster.jpg", width=320)
    assert (info.container, info.width, info.height) == ("jpeg", 320, 180)


def test_sprite_sheet_is_a_grid_of_evenly_spaced_frames(clip, tmp_path):
    info = sprite_sheet(src=clip, dst=tmp_path / "sprite.jpg", columns=4, rows=3, tile_width=160)
    assert (info.width, info.height) == (4 * 160, 3 * 90)
    sheet = np.asarray(Image.open(info.path).convert("RGB")).astype(int)
    first, last = sheet[:90, :160], sheet[180:, 480:]
    assert np.abs(first - last).mean() > 3  # the moving square is elsewhere


def test_extract_last_frame_gives_the_final_frame_at_full_size(clip, tmp_path):
    info = extract_last_frame(src=clip, dst=tmp_path / "last.png")
    assert (info.width, info.height) == (640, 360)
    assert frame_index(np.asarray(Image.open(info.path).convert("RGB"))) == 47
