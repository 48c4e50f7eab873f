"""Streaming multipart uploads: each file goes to a temp file chunk by chunk, its bytes are
counted, and the upload is refused the moment it is known to be too large — from the
declared Content-Length before any of the body is read, otherwise as the bytes pass the
limit. A file part the endpoint does not take, or a second part of the same name, is
refused (400 naming the field) before its bytes are read. Nothing is kept of a refused
upload: files already complete are closed (deleted) by Django's parser as the error
passes, the one in progress by the handler."""

from collections.abc import Callable, Collection
from typing import Any

from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from apps.core import metrics
from apps.core.errors import ApplicationError, ErrorCode, ValidationError

FILE_FIELD = "file"
# Multipart framing (boundaries, part headers, small form fields) on top of the file itself.
MULTIPART_SLACK_BYTES = 64 * 1024


def file_too_large(*, limit_bytes: int, size_bytes: int | None = None) -> ApplicationError:
    details: dict[str, Any] = {"limit_bytes": limit_bytes}
    if size_bytes is not None:
        details["size_bytes"] = size_bytes
    return ApplicationError(
        f"The file is larger than this workspace's per-file limit of {_human(limit_bytes)} "
        f"({limit_bytes} bytes).",
        code=ErrorCode.FILE_TOO_LARGE,
        status=413,
        details=details,
    )


def _human(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1024  # type: ignore[assignment]
    return str(n)


def unexpected_file_part(
    *, field: str, allowed: Collection[str], repeated: bool
) -> ValidationError:
    names = ", ".join(f"`{name}`" for name in sorted(allowed)) or "none"
    problem = (
        f"Send at most one file part named `{field}`."
        if repeated
        else f"Unexpected file part `{field}`: the file parts this endpoint takes are {names}."
    )
    return ValidationError(
        problem,
        details={
            "field": field,
            "fields": {field: ["Repeated file part." if repeated else "Unexpected file part."]},
        },
    )


def check_declared_length(content_length: int | None, limit_bytes: int, files: int = 1) -> None:
    """Refuse from the header alone when `files` files of at most `limit_bytes` each plus
    the multipart framing cannot explain it."""
    if content_length is not None and content_length > limit_bytes * files + MULTIPART_SLACK_BYTES:
        raise file_too_large(limit_bytes=limit_bytes, size_bytes=None)


class LimitedTempFileUploadHandler(FileUploadHandler):
    """Accepts at most one file per name in `fields`, each into a temp file of at most
    `limit()` bytes (the tier's per-file limit), so disk use per request is bounded by
    limit x len(fields). A declared length past `max_files` such files is refused unread.

    `limit` is a callable so the workspace (hence the tier's limit) can be resolved when
    parsing starts, which for session-authenticated requests is during the CSRF check."""

    # Also the read size: the body is read at most this far past the limit.
    chunk_size = 256 * 1024

    def __init__(
        self,
        request: Any,
        *,
        limit: Callable[[], int],
        fields: Collection[str] = (FILE_FIELD,),
        max_files: int = 1,
    ) -> None:
        super().__init__(request)
        self.max_files = max_files
        self._limit_fn = limit
        self.fields = frozenset(fields)
        self.limit_bytes = 0
        self.file: TemporaryUploadedFile | None = None
        self.received = 0
        self._seen: set[str] = set()

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        self.limit_bytes = self._limit_fn()
        check_declared_length(content_length, self.limit_bytes, self.max_files)

    def new_file(
        self, field_name: str, file_name: str, content_type: str, *args: Any, **kw: Any
    ) -> None:
        # Raised, not skipped: Django's SkipFile path closes the handler's `file`, which
        # would delete a file completed earlier in the same request under the view.
        if field_name not in self.fields or field_name in self._seen:
            raise unexpected_file_part(
                field=field_name, allowed=self.fields, repeated=field_name in self._seen
            )
        super().new_file(field_name, file_name, content_type, *args, **kw)
        self._seen.add(field_name)
        self.file = TemporaryUploadedFile(file_name, content_type, 0, self.charset)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.file is None:
            return None
        self.received += len(raw_data)
        if self.received > self.limit_bytes:
            self.discard()
            raise file_too_large(limit_bytes=self.limit_bytes)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> TemporaryUploadedFile | None:
        if self.file is None:
            return None
        done, self.file = self.file, None  # the parser owns it now (and closes it on error)
        done.seek(0)
        done.size = file_size
        return done

    def upload_interrupted(self) -> None:
        self.discard()

    def discard(self) -> None:
        if self.file is not None:
            self.file.close()  # TemporaryUploadedFile deletes itself on close
            self.file = None


def upload_count(*, source: str, size_bytes: int) -> None:
    """Counts stored upload bytes once the asset's row commits (apps/core/metrics.py)."""

    def record() -> None:
        metrics.UPLOADS.labels(source).inc()
        metrics.UPLOAD_BYTES.labels(source).inc(size_bytes)

    metrics.after_commit(record)
