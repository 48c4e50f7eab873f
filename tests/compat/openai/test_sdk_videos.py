"""The official openai SDK against /v1/videos on a live server and a real worker: the
issue's "done when" (create_and_poll + download_content -> a playable MP4 from a local
model) and every other videos.* method that makes or reads a video."""

import base64
import io

import av
import openai
import pytest
from openai.types import Video
from PIL import Image

from apps.jobs.models import Job
from tests.compat.openai.conftest import sdk

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

LOCAL = "local/text-to-video"


def probe(content: bytes) -> tuple[float, int, int]:
    with av.open(io.BytesIO(content)) as container:
        stream = container.streams.video[0]
        return float(container.duration / av.time_base), stream.width, stream.height


@pytest.mark.isolation("openai-videos", "openai-video", "openai-video-content")
def test_create_and_poll_then_download_gives_the_mp4_its_seconds_and_size_asked_for(
    alice, charlie, live_stack
):
    client = sdk(live_stack.url, alice.key)
    video = client.videos.create_and_poll(
        model=LOCAL, prompt="A lighthouse at dusk", seconds="2", size="720x1280"
    )
    assert video.status == "completed", video.error
    assert (video.object, video.model, video.progress) == ("video", LOCAL, 100)
    assert (video.seconds, video.size, video.prompt) == ("2", "720x1280", "A lighthouse at dusk")
    assert video.completed_at >= video.created_at
    assert video.expires_at is None or video.expires_at > video.completed_at
    assert video.error is None and video.remixed_from_video_id is None
    assert video.id == Job.objects.get().public_id

    content = client.videos.download_content(video.id).content
    assert probe(content)[0] == pytest.approx(2.0, abs=0.2)
    assert probe(content)[1:] == (720, 1280)
    thumb = Image.open(
        io.BytesIO(client.videos.download_content(video.id, variant="thumbnail").content)
    )
    assert thumb.width > 0
    sheet_bytes = client.videos.download_content(video.id, variant="spritesheet").content
    sheet = Image.open(io.BytesIO(sheet_bytes))
    assert sheet.format == "JPEG" and sheet.width == 5 * 160
    # The frames differ (the animatic moves): not a placeholder of one colour.
    tiles = [sheet.crop((i * 160, 0, i * 160 + 160, 40)).tobytes() for i in range(5)]
    assert len(set(tiles)) > 1

    # Another tenant: every read of the id is OpenAI's 404, and its list is empty.
    other = sdk(live_stack.url, charlie.key)
    with pytest.raises(openai.NotFoundError):
        other.videos.retrieve(video.id)
    with pytest.raises(openai.NotFoundError):
        other.videos.download_content(video.id)
    with pytest.raises(openai.NotFoundError):
        other.videos.delete(video.id)
    assert other.videos.list().data == []
    assert Job.objects.filter(public_id=video.id).exists()


@pytest.mark.isolation("openai-video-remix", "openai-video-extensions", "openai-video-edits")
def test_list_pages_remix_extend_edit_and_delete(alice, charlie, live_stack, clip_mp4):
    client = sdk(live_stack.url, alice.key)
    # One at a time: the Free tier runs two jobs at once (a third is a 429 the SDK retries).
    made = [
        client.videos.create_and_poll(model=LOCAL, prompt=f"Shot {i}", seconds="1", size="1280x720")
        for i in range(3)
    ]
    assert [v.status for v in made] == ["completed"] * 3

    # list: newest first by default, pages of `limit`, `after` = the SDK's next page.
    page = client.videos.list(limit=2)
    assert [v.id for v in page.data] == [made[2].id, made[1].id]
    assert page.has_more is True
    assert [v.id for v in page.get_next_page().data] == [made[0].id]
    assert [v.id for v in client.videos.list(limit=1)] == [v.id for v in reversed(made)]
    assert [v.id for v in client.videos.list(order="asc").data] == [v.id for v in made]

    # remix: the same model, seconds and size; the new prompt; remixed_from_video_id.
    remix = client.videos.poll(client.videos.remix(made[0].id, prompt="Shot 0, at night").id)
    assert remix.status == "completed", remix.error
    assert remix.remixed_from_video_id == made[0].id
    assert (remix.model, remix.seconds, remix.size) == (LOCAL, "1", "1280x720")
    assert remix.prompt == "Shot 0, at night"

    # extend a video of ours by id: `seconds` of the result is the stitched total. The SDK
    # 3.52 refuses a dict for `video` client-side (it expects a file), so a reference goes
    # in extra_body (sent as the multipart part `video[id]`) or as JSON through client.post.
    extended = client.videos.poll(
        client.videos.extend(
            video=openai.omit,
            seconds="2",
            prompt="Hold on it",
            extra_body={"video": {"id": made[0].id}},
        ).id
    )
    assert extended.status == "completed", extended.error
    assert extended.seconds == "3"
    content = client.videos.download_content(extended.id).content
    assert probe(content)[0] == pytest.approx(3.0, abs=0.25)

    # extend and edit an uploaded file (multipart `video`), edit one of ours by id.
    with clip_mp4.open("rb") as fh:
        uploaded = client.videos.extend(video=fh, seconds="1", prompt="Longer")
    assert client.videos.poll(uploaded.id).status == "completed"
    # The local edit model needs a setting (our extension); a prompt alone is a 400 before
    # anything is held, naming the prompt.
    body = {"video": {"id": made[1].id}, "prompt": "Recut"}
    with pytest.raises(openai.BadRequestError) as refused:
        client.post("/videos/edits", body=body, cast_to=Video)
    assert refused.value.param == "prompt"
    edit = client.post("/videos/edits", body={**body, "aspect_ratio": "9:16"}, cast_to=Video)
    edited = client.videos.poll(edit.id)
    assert edited.status == "completed", edited.error
    _, width, height = probe(client.videos.download_content(edited.id).content)
    assert (width, height) == (404, 720)  # cropped to 9:16 at the source's height
    assert edited.size == "404x720"
    with clip_mp4.open("rb") as fh:
        upload = client.videos.edit(video=fh, prompt="Faster", extra_body={"speed": "2"})
    edited_upload = client.videos.poll(upload.id)
    assert edited_upload.status == "completed", edited_upload.error
    assert edited_upload.seconds == "1"  # the 2 s clip at double speed

    # Another tenant cannot remix, extend or edit by our ids.
    other = sdk(live_stack.url, charlie.key)
    with pytest.raises(openai.NotFoundError):
        other.videos.remix(made[0].id, prompt="Mine now")
    for path, body in (
        ("/videos/extensions", {"video": {"id": made[0].id}, "seconds": "1", "prompt": "Mine"}),
        ("/videos/edits", {"video": {"id": made[0].id}, "prompt": "Mine now"}),
    ):
        with pytest.raises(openai.NotFoundError):
            other.post(path, body=body, cast_to=Video)

    # delete: gone from retrieve and list; its unsaved result goes with it.
    deleted = client.videos.delete(made[2].id)
    assert (deleted.id, deleted.object, deleted.deleted) == (made[2].id, "video.deleted", True)
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve(made[2].id)
    assert made[2].id not in [v.id for v in client.videos.list(limit=100)]
    with pytest.raises(openai.NotFoundError):
        client.videos.list(after=made[2].id)


def test_input_reference_as_a_file_a_data_url_or_a_file_id_makes_an_image_video(
    alice, live_stack, still_png
):
    client = sdk(live_stack.url, alice.key)
    # Multipart with the image as a file part; the text model switches to its I2V sibling.
    with still_png.open("rb") as fh:
        from_file = client.videos.create_and_poll(
            model=LOCAL, prompt="Slow zoom", seconds="1", size="1280x720", input_reference=fh
        )
    assert from_file.status == "completed", from_file.error
    assert from_file.model == "local/image-to-video"
    job = Job.objects.get(public_id=from_file.id)
    image_asset = job.inputs["image"]

    # JSON with a reference object: a base64 data URL, then the stored image by file_id.
    data_url = "data:image/png;base64," + base64.b64encode(still_png.read_bytes()).decode()
    from_data = client.post(
        "/videos",
        body={"prompt": "Pan", "seconds": "1", "input_reference": {"image_url": data_url}},
        cast_to=Video,
    )
    assert client.videos.poll(from_data.id).status == "completed"
    from_id = client.videos.create(
        prompt="Again", seconds="1", extra_body={"input_reference": {"file_id": image_asset}}
    )
    done = client.videos.poll(from_id.id)
    assert done.status == "completed", done.error
    # No model given: the catalog's default for the method (the local engine here).
    assert done.model == "local/image-to-video"
    assert probe(client.videos.download_content(done.id).content)[0] == pytest.approx(1.0, abs=0.2)
