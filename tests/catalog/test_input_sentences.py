"""What the catalogue says about a job's input files reads as English and, for a wrong
file kind, names what was received and what is accepted."""

from apps.catalog.checks.inputs import input_problems
from apps.catalog.checks.parse import ProbedInput
from apps.catalog.registry import CATALOG


def messages(model: str, inputs: dict, require: bool = True) -> list[str]:
    return [p.message for p in input_problems(CATALOG[model], inputs, require)]


def test_a_missing_video_is_asked_for_with_the_right_article():
    name = CATALOG["local/extend-video"].name
    assert messages("local/extend-video", {}) == [f"{name} needs a video."]


def test_a_missing_image_and_audio_read_as_english():
    assert messages("local/lip-sync", {}) == [
        "Local talking still needs an image.",
        "Local talking still needs an audio track.",
    ]


def test_a_wrong_image_format_names_what_came_and_what_is_accepted():
    found = messages("local/image-to-video", {"image": ProbedInput(format="gif")})
    assert found == ["Received GIF for the image; Local Ken Burns accepts JPEG, PNG or WEBP."]
