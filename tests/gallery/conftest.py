"""Gallery fixtures: media files made in code, an isolated storage root (local disk or a
moto S3 server), a streamed request body, and the PostgreSQL gate."""

import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.gallery.mediafiles import make_mp4, make_png, make_wav

MB = 1024 * 1024
BUCKET = "reelsmith-test"


@pytest.fixture(scope="session")
def media_src(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("gallery-src")


@pytest.fixture(scope="session")
def mp4(media_src) -> Path:
    return make_mp4(media_src / "clip.mp4")


@pytest.fixture(scope="session")
def png(media_src) -> Path:
    return make_png(media_src / "still.png")


@pytest.fixture(scope="session")
def wav(media_src) -> Path:
    return make_wav(media_src / "tone.wav")


@pytest.fixture(autouse=True)
def local_storage(media_storage, settings, tmp_path):
    """This test's own storage directory (see media_storage). Uploads spool to a temp
    dir of its own too."""
    temp = tmp_path / "upload-tmp"
    temp.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(temp)
    return media_storage


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# --- a moto S3 server -------------------------------------------------------------------


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(settings, moto_endpoint, monkeypatch) -> Any:
    """The default storage is an S3Storage on the moto server; returns a boto3 client."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": moto_endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "signature_version": "s3v4",
                "addressing_style": "path",
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
                "querystring_expire": 600,
                "object_parameters": {"ServerSideEncryption": "AES256"},
            },
        },
    }
    yield client
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for obj in listed:
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


def s3_keys(client: Any) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


# --- streamed request bodies ------------------------------------------------------------


class StreamedBody(io.RawIOBase):
    """A multipart body produced on the fly (never held whole in memory); counts how many
    bytes the server actually read."""

    def __init__(
        self,
        *,
        size: int = 0,
        boundary: str,
        filename: str = "big.mp4",
        source: Path | None = None,
        field: str = "file",
        fields: dict[str, str] | None = None,
    ) -> None:
        # The file part (named `field`) is `source`'s bytes when given, else `size` zero
        # bytes; text `fields` come before it.
        self.source = source.open("rb") if source else None
        size = source.stat().st_size if source else size
        text = "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in (fields or {}).items()
        )
        self.head = (
            f"{text}--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{boundary}--\r\n".encode()
        self.size = size
        self.length = len(self.head) + size + len(self.tail)
        self.pos = 0
        self.read_bytes = 0
        self.lock = threading.Lock()

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = self.length - self.pos
        n = min(n, self.length - self.pos)
        out = bytearray()
        while n > 0:
            if self.pos < len(self.head):
                piece = self.head[self.pos : self.pos + n]
            elif self.pos < len(self.head) + self.size:
                want = min(n, len(self.head) + self.size - self.pos)
                piece = self.source.read(want) if self.source else b"\0" * want
            else:
                start = self.pos - len(self.head) - self.size
                piece = self.tail[start : start + n]
            out += piece
            self.pos += len(piece)
            n -= len(piece)
        self.read_bytes += len(out)
        return bytes(out)

    def readline(self, size: int = -1) -> bytes:  # type: ignore[override]
        return self.read(size if size and size > 0 else 65536)


def post_streamed(api, path: str, body: StreamedBody, boundary: str, *, content_length=None):
    """POSTs `body` through the test client without materialising it."""
    return api.generic(
        "POST",
        path,
        data=b"",
        content_type=f"multipart/form-data; boundary={boundary}",
        **{
            "wsgi.input": body,
            "CONTENT_LENGTH": str(body.length if content_length is None else content_length),
        },
    )
