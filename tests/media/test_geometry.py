from hypothesis import given
from hypothesis import strategies as st

from apps.media.frames import even
from apps.media.ops.convert import RESOLUTIONS, scaled_size
from apps.media.ops.edit import ASPECTS, aspect_size
from apps.media.ops.generate import output_size

sides = st.integers(min_value=270, max_value=4096)


@given(sides, sides, st.sampled_from(list(RESOLUTIONS)))
def test_scaled_sizes_are_even_and_within_4096(width, height, resolution):
    w, h = scaled_size(width, height, resolution)
    assert w % 2 == 0 and h % 2 == 0
    assert max(w, h) <= 4096
    assert abs(w / h - width / height) < 0.02 * (width / height) + 2 / h


@given(sides, sides, st.sampled_from(list(ASPECTS)), st.sampled_from(["crop", "pad"]))
def test_reframed_sizes_are_even_and_have_the_aspect(width, height, aspect, mode):
    w, h = aspect_size(width, height, aspect, mode)
    a, b = ASPECTS[aspect]
    assert w % 2 == 0 and h % 2 == 0 and max(w, h) <= 4096
    assert abs(w / h - a / b) < 0.05 * (a / b)
    if mode == "crop":
        assert w <= even(width) and h <= even(height)


@given(st.sampled_from(list(RESOLUTIONS)), st.sampled_from(list(ASPECTS)))
def test_generated_sizes_put_the_resolution_on_the_short_side(resolution, aspect):
    w, h = output_size(resolution, aspect, (1, 1))
    assert w % 2 == 0 and h % 2 == 0
    assert min(w, h) == RESOLUTIONS[resolution] or max(w, h) == 4096
