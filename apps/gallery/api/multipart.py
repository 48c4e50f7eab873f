"""One way for every API view that takes multipart files (`/uploads`, `/generate`,
`/process`): the workspace's tier limit caps each file, files stream to temp files
through LimitedTempFileUploadHandler, and only the file parts the view names are read."""

from typing import Any

from rest_framework.request import Request

from apps.accounts.selectors import user_active_membership
from apps.core.errors import PermissionDenied
from apps.gallery.quota import upload_limit_bytes
from apps.gallery.uploads import LimitedTempFileUploadHandler, check_declared_length


def _content_length(request: Request) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or ""
    return int(raw) if raw.isdigit() else None


def _workspace_limit(request: Request) -> int:
    django_request = request._request
    workspace = getattr(django_request, "workspace", None)
    if workspace is None and django_request.user.is_authenticated:
        membership = user_active_membership(user=django_request.user)
        workspace = membership.workspace if membership else None
    if workspace is None:
        raise PermissionDenied("You are not a member of any workspace.")
    return upload_limit_bytes(workspace=workspace)


class StreamedFilesMixin:
    """Mix into an APIView before APIView; set `file_fields` to the file parts it takes
    and `max_files` to how many of them one request can use.

    A request whose Content-Length exceeds the per-file limit times `max_files` plus the
    multipart slack is refused (413 FILE_TOO_LARGE) before its body is read; otherwise
    each file is counted as it streams and refused once past the limit, and an unexpected
    or repeated file part is a 400 naming it. Nothing of a refused request stays on disk."""

    file_fields: tuple[str, ...] = ()
    max_files = 1

    def upload_limit(self, request: Request) -> int:
        """Bytes per file: the workspace's tier limit (a view may answer for visitors)."""
        return _workspace_limit(request)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Installed before authentication: a session login's CSRF check reads the form,
        # so the body may be parsed then, and it must stream through our handler already.
        django_request = request._request
        limit: list[int] = []

        def limit_once() -> int:
            if not limit:
                limit.append(self.upload_limit(request))
            return limit[0]

        django_request.upload_handlers = [
            LimitedTempFileUploadHandler(
                django_request, limit=limit_once, fields=self.file_fields, max_files=self.max_files
            )
        ]
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.content_type.startswith("multipart/"):
            # Authenticated now; refuse by the declared length before touching the body.
            check_declared_length(_content_length(request), limit_once(), self.max_files)
