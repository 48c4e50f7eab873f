"""File names keep the person's characters ("Fuchs läuft 🎬.jpg"), and stay safe: no
separators, no control or invisible format characters, capped in length; object keys stay
ASCII under the workspace's prefix."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.gallery.models import Asset
from apps.gallery.storage import key_filename, sanitize_filename
from tests.gallery.conftest import stored_files

FUCHS = "Fuchs läuft 🎬.jpg"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (FUCHS, FUCHS),
        ("Fuchs la\u0308uft.jpg", "Fuchs läuft.jpg"),  # decomposed input comes out NFC
        ("日本の夏.mp4", "日本の夏.mp4"),
        ("שלום עולם.mov", "שלום עולם.mov"),
        ("👩\u200d💻 demo.webm", "👩\u200d💻 demo.webm"),  # joiners inside emoji stay
        ("../../etc/passwd", "passwd"),
        ("..\\..\\evil.mp4", "evil.mp4"),
        ("a/../../b.mp4", "b.mp4"),
        (".hidden", "hidden"),
        ("clip\u202egpj.exe", "clipgpj.exe"),  # a bidi override cannot disguise the extension
        ("tab\there\nnew\x00line.png", "tab here newline.png"),
        ("what?<is>:this|*.png", "what__is__this.png"),
        ("   ", "file"),
        ("", "file"),
    ],
)
def test_sanitized_names_keep_their_characters_and_lose_what_is_unsafe(name, expected):
    assert sanitize_filename(name) == expected


def test_the_probed_container_names_the_extension():
    assert sanitize_filename(FUCHS, container="jpeg") == FUCHS
    assert sanitize_filename("Fuchs läuft 🎬.exe", container="png") == "Fuchs läuft 🎬.png"


@pytest.mark.parametrize("char", ["x", "ü", "🎬"])
def test_long_names_are_capped_in_characters_and_bytes(char):
    name = sanitize_filename(char * 1000 + ".mp4")
    assert name.endswith(".mp4")
    assert len(name) <= 100 and len(name.encode()) <= 200
    assert name[:-4] == char * len(name[:-4])  # cut between characters, never inside one


def test_object_keys_are_ascii_forms_of_the_name():
    assert key_filename(FUCHS) == "Fuchs_lauft.jpg"
    assert key_filename("日本の夏.mp4") == "file.mp4"
    assert key_filename("../../x") == "x"


def test_an_upload_keeps_its_unicode_name_and_downloads_under_it(
    alice, png, tmp_path, local_storage
):
    jpg = tmp_path / "fox.jpg"
    Image.open(png).convert("RGB").save(jpg, "JPEG")
    upload = SimpleUploadedFile(FUCHS, jpg.read_bytes(), content_type="image/jpeg")
    response = alice.api.post("/api/v1/uploads", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["original_name"] == FUCHS
    asset = Asset.objects.get(public_id=body["id"])
    prefix = f"ws/{alice.workspace.public_id}/assets/{asset.public_id}/"
    assert asset.storage_key == prefix + "Fuchs_lauft.jpg"
    assert all(f.isascii() for f in stored_files(local_storage))
    download = alice.api.get(body["download_url"].removeprefix("http://testserver"))
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f"attachment; filename=\"Fuchs lauft .jpg\"; filename*=UTF-8''{quote(FUCHS)}"
    )


def test_a_direct_upload_keeps_its_unicode_name(alice):
    response = alice.api.post(
        "/api/v1/uploads/direct",
        {"filename": "Ölgemälde 🎨.png", "size_bytes": 1000, "content_type": "image/png"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    asset = Asset.objects.get(public_id=response.json()["upload_id"])
    assert asset.original_name == "Ölgemälde 🎨.png"
    assert asset.storage_key.endswith("/Olgemalde.png")
