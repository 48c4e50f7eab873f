"""The local engine draws every script people type: each character of a German, French,
Hebrew, Chinese, Japanese or Korean prompt gets a real glyph from some font in the fallback
chain, never the .notdef box."""

import os

import av
import numpy as np
import pytest
from PIL import ImageFont

from apps.media import fonts, text_to_video
from apps.media.ops.generate import _text_layer

PROMPTS = {
    "German": "Ein Fuchs läuft über die Straße",
    "French": "Où est l’œuvre ? Une forêt à l’aube",  # noqa: RUF001
    "Hebrew": "שועל רץ ברחוב בלילה",
    "Chinese": "一只狐狸在雨夜的街上奔跑",
    "Japanese": "キツネが夜の街を走る",
    "Korean": "여우가 밤거리를 달린다",
}


@pytest.fixture(autouse=True, scope="module")
def _fonts_installed():
    if not any("CJK" in p for p in fonts.font_chain()):
        if os.environ.get("CI"):
            pytest.fail("the fonts are required in CI (make fonts installs them)")
        pytest.skip("the Noto fonts are not installed (run `make fonts`)")


def _mask(font, text: str) -> np.ndarray:
    mask = font.getmask(text)
    return np.array(mask, dtype=np.uint8).reshape(mask.size[1], mask.size[0])


@pytest.mark.parametrize("language", PROMPTS)
def test_every_character_of_a_prompt_has_a_real_glyph(language):
    for char in PROMPTS[language]:
        if char.isspace():
            continue
        path = fonts.font_for(char)
        assert path is not None, (language, char)
        face = ImageFont.truetype(path, fonts.PROBE_SIZE)
        glyph, notdef = _mask(face, char), _mask(face, fonts.UNMAPPED)
        assert glyph.any(), (language, char)  # ink on the page
        assert glyph.shape != notdef.shape or (glyph != notdef).any(), (language, char, path)


def test_the_chain_falls_back_to_a_cjk_face_for_chinese_and_keeps_latin_in_the_first():
    chain = fonts.font_chain()
    assert fonts.font_for("a") == chain[0]
    assert "CJK" in fonts.font_for("狐")
    assert fonts.font_for("ש") is not None
    pieces = list(fonts.runs("A fox 狐狸 runs"))
    assert [p for p, _ in pieces] == ["A fox ", "狐狸 ", "runs"]
    assert pieces[0][1] == pieces[2][1] != pieces[1][1]


def test_the_builtin_font_alone_would_draw_boxes_for_chinese():
    # What the animatic did before the fallback chain: the proof the test above can fail.
    builtin = ImageFont.load_default(size=fonts.PROBE_SIZE)
    assert (_mask(builtin, "狐") == _mask(builtin, fonts.UNMAPPED)).all()


@pytest.mark.parametrize("language", ["Hebrew", "Chinese"])
def test_a_prompt_layer_differs_from_the_same_length_of_boxes(language):
    prompt = PROMPTS[language]
    drawn = np.asarray(_text_layer(prompt, 640, 360, 360).getchannel("A"))
    boxes = np.asarray(_text_layer(fonts.UNMAPPED * len(prompt), 640, 360, 360).getchannel("A"))
    assert drawn.any() and (drawn > 0).sum() != (boxes > 0).sum()
    # The ink of real glyphs differs from rows of identical boxes column by column.
    assert np.abs(drawn.astype(int) - boxes.astype(int)).mean() > 1


def _last_frame(path) -> np.ndarray:
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return frames[-1].astype(int)


def test_an_animatic_of_a_chinese_prompt_differs_from_one_of_boxes(tmp_path):
    prompt = PROMPTS["Chinese"]
    real = text_to_video(dst=tmp_path / "zh.mp4", prompt=prompt, duration=1.0, resolution="480p")
    boxes = text_to_video(
        dst=tmp_path / "boxes.mp4", prompt=fonts.UNMAPPED * len(prompt), duration=1.0,
        resolution="480p",
    )  # fmt: skip
    # Same background, same timing: only the glyphs differ, and they differ a lot.
    diff = np.abs(_last_frame(real.path) - _last_frame(boxes.path))
    assert (diff.max(axis=2) > 60).sum() > 2000
