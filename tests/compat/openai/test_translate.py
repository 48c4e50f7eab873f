"""The openai front's size and status translation, without a server."""

import pytest

from apps.compat.openai.errors import OpenAIError
from apps.compat.openai.translate import STATUS, format_to_size, size_to_format
from apps.jobs.models import JobStatus


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("1280x720", ("720p", "16:9")),
        ("720x1280", ("720p", "9:16")),
        ("1920x1080", ("1080p", "16:9")),
        ("1080x1080", ("1080p", "1:1")),
        ("852x480", ("480p", "16:9")),
        ("1792x1024", ("1024p", "16:9")),
        ("1024x1792", ("1024p", "9:16")),
    ],
)
def test_a_size_maps_to_the_resolution_and_aspect_that_render_it_and_back(size, expected):
    assert size_to_format(size) == expected
    assert format_to_size(*expected) == size


@pytest.mark.parametrize("size", ["1281x720", "720", "x", "0x0", "99999x99999", "1280x720x3"])
def test_a_size_nothing_renders_exactly_is_a_400_naming_size(size):
    with pytest.raises(OpenAIError) as refused:
        size_to_format(size)
    assert refused.value.param == "size" and refused.value.status == 400


def test_every_job_status_has_an_openai_status():
    assert set(STATUS) == set(JobStatus)
    assert set(STATUS.values()) == {"queued", "in_progress", "completed", "failed"}
