"""The signed-URL endpoints for local-disk storage (downloads with HTTP Range; direct-upload
PUTs). A valid token is the only credential those two accept. The pages are in pages.py."""

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from apps.core.errors import ApplicationError, ErrorCode
from apps.core.exceptions import envelope
from apps.gallery import direct_uploads, hls, storage

CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


# --- signed downloads -------------------------------------------------------------------


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(start, end inclusive) of a single byte range; None to serve the whole file.
    Raises ValueError when the range cannot be satisfied."""
    match = _RANGE.match(header.strip())
    if not match:
        return None  # absent, malformed or multi-range: RFC 9110 lets us send it all
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last N bytes
        n = int(last)
        if n == 0 or size == 0:
            raise ValueError
        return max(0, size - n), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        raise ValueError
    return start, min(end, size - 1)


def _stream(fh: Any, start: int, length: int) -> Iterator[bytes]:
    try:
        fh.seek(start)
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        fh.close()


def _plain_error(status: int, message: str) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@require_http_methods(["GET", "HEAD"])
def signed_media(request: HttpRequest, token: str) -> HttpResponseBase:
    """Serves a stored object named by a signed, expiring token, with Range support."""
    try:
        payload = storage.unsign_token(token)
    except signing.SignatureExpired:
        return _plain_error(403, "This link has expired.")
    except signing.BadSignature:
        return _plain_error(404, "Not found.")
    key = str(payload.get("k", ""))
    return _serve(
        request,
        key,
        content_type=payload.get("c") or "application/octet-stream",
        filename=payload.get("n") or key.rsplit("/", 1)[-1],
        attachment=bool(payload["a"]),
    )


@require_http_methods(["GET", "HEAD"])
def signed_hls(request: HttpRequest, token: str, name: str) -> HttpResponseBase:
    """One file of an HLS set: the token covers the set's key prefix, and the playlists
    name their variants and segments relatively, so every file under one master link
    is reachable with the same token and expires with it."""
    try:
        prefix = hls.unsign_hls_token(token)
    except signing.SignatureExpired:
        return _plain_error(403, "This link has expired.")
    except signing.BadSignature:
        return _plain_error(404, "Not found.")
    content_type = hls.content_type_for(name)
    if content_type is None:
        return _plain_error(404, "Not found.")
    return _serve(request, prefix + name, content_type=content_type, filename=name)


def _serve(
    request: HttpRequest, key: str, *, content_type: str, filename: str, attachment: bool = False
) -> HttpResponseBase:
    store = storage.get_storage()
    if not key.startswith("ws/") or not store.exists(key):
        return _plain_error(404, "Not found.")
    size = store.size(key)
    try:
        byte_range = _parse_range(request.headers.get("Range", ""), size)
    except ValueError:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    start, end = byte_range if byte_range else (0, size - 1)
    length = max(0, end - start + 1)
    if request.method == "HEAD":
        response: HttpResponse | StreamingHttpResponse = HttpResponse(status=200)
    else:
        response = StreamingHttpResponse(_stream(store.open(key, "rb"), start, length))
    if byte_range:
        response.status_code = 206
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    response["Content-Type"] = content_type
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = storage.disposition(filename, attachment=attachment)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _json_error(status: int, code: str, message: str) -> JsonResponse:
    error = ApplicationError(message, code=code, status=status, retryable=False)
    return JsonResponse(envelope(error), status=status)


@csrf_exempt  # authorised by the signed token, not by a session
@require_http_methods(["PUT"])
def signed_put(request: HttpRequest, token: str) -> JsonResponse:
    """Local-disk counterpart of an S3 presigned PUT: exactly the declared bytes, once."""
    try:
        payload = storage.unsign_put_token(token)
    except signing.SignatureExpired:
        return _json_error(403, ErrorCode.PERMISSION_DENIED, "This upload URL has expired.")
    except signing.BadSignature:
        return _json_error(404, ErrorCode.NOT_FOUND, "Not found.")
    key, size = str(payload["k"]), int(payload["s"])
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) != size:
        return _json_error(
            400, ErrorCode.VALIDATION_ERROR, f"Send exactly {size} bytes (declared {declared})."
        )
    # Claimed before a byte is written: of concurrent PUTs exactly one proceeds.
    try:
        asset = direct_uploads.upload_direct_claim(storage_key=key)
    except ApplicationError as exc:
        return _json_error(exc.status, exc.code, exc.message)
    try:
        return _receive_put(request, key=key, size=size)
    finally:
        direct_uploads.upload_direct_release(asset=asset)


def _receive_put(request: HttpRequest, *, key: str, size: int) -> JsonResponse:
    received = 0
    with tempfile.NamedTemporaryFile(
        dir=getattr(settings, "FILE_UPLOAD_TEMP_DIR", None), suffix=".put", delete=False
    ) as tmp:
        tmp_path = Path(tmp.name)
        try:
            while chunk := request.read(CHUNK):
                received += len(chunk)
                if received > size:
                    break
                tmp.write(chunk)
        except Exception:
            tmp_path.unlink(missing_ok=True)
            raise
    try:
        if received != size:
            return _json_error(
                400, ErrorCode.VALIDATION_ERROR, f"Expected {size} bytes, received {received}."
            )
        try:
            # Exactly at the key: a storage-chosen alternative name would be a second file.
            storage.local_place_exact(key=key, path=tmp_path)
        except FileExistsError:
            return _json_error(409, ErrorCode.CONFLICT, "This upload has already been sent.")
    finally:
        tmp_path.unlink(missing_ok=True)
    return JsonResponse({"received_bytes": received})
