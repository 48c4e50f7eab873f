from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.scopes import PUBLIC, Scope
from apps.core.api.query import query_validated
from apps.core.api.schema import errors
from apps.core.errors import ValidationError
from apps.core.pagination import KeysetCursorPagination
from apps.core.parsers import MultiPartParser
from apps.gallery import direct_uploads, selectors, services
from apps.gallery.api.multipart import StreamedFilesMixin
from apps.gallery.api.serializers import (
    AssetReportCreateSerializer,
    AssetReportSerializer,
    AssetSerializer,
    AssetUpdateSerializer,
    GalleryListQuerySerializer,
    GalleryPublicAssetSerializer,
    GallerySaveSerializer,
    UploadDirectSerializer,
    UploadDirectStartSerializer,
    UploadFileSerializer,
)
from apps.gallery.uploads import FILE_FIELD


class UploadView(StreamedFilesMixin, APIView):
    required_scope = Scope.UPLOADS
    parser_classes = [MultiPartParser]
    file_fields = (FILE_FIELD,)

    @extend_schema(
        summary="Upload a media file (multipart field `file`)",
        description=(
            "Streams the file to storage. Refused with 413 FILE_TOO_LARGE over the tier's "
            "per-file limit (from Content-Length, before the body is read), 400 "
            "UNSUPPORTED_FORMAT when it is not a supported video, image or audio file, 400 "
            "VALIDATION_ERROR for any file part other than one `file`, 507 "
            "STORAGE_FULL over the storage quota. Uploads are unsaved (retention applies) "
            "until saved to the gallery (`POST /gallery {asset}`) or sent with saved=true."
        ),
        request={"multipart/form-data": UploadFileSerializer},
        responses={201: AssetSerializer, **errors(400, 403, 413, 507)},
    )
    def post(self, request: Request) -> Response:
        uploaded = request.FILES.get(FILE_FIELD)
        if uploaded is None:
            raise ValidationError(
                "Send the media as multipart/form-data in the field `file`.",
                details={"fields": {FILE_FIELD: ["This field is required."]}},
            )
        try:
            asset = services.asset_create_from_file(
                workspace=request.workspace,
                owner=request.user,
                path=uploaded.temporary_file_path(),
                original_name=uploaded.name or "",
                saved=str(request.data.get("saved", "")).lower() in ("1", "true", "yes"),
                title=str(request.data.get("title", "")),
                move=True,
            )
        finally:
            uploaded.close()
        return Response(
            AssetSerializer(asset, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class UploadDirectView(APIView):
    required_scope = Scope.UPLOADS

    @extend_schema(
        summary="Start a direct upload (large files)",
        description=(
            "Reserves `size_bytes` of storage and returns a presigned PUT URL (S3) or a "
            "signed URL of this server (local disk). PUT exactly that many bytes with the "
            "given headers, then call `complete`."
        ),
        request=UploadDirectStartSerializer,
        responses={201: UploadDirectSerializer, **errors(400, 413, 507)},
    )
    def post(self, request: Request) -> Response:
        body = UploadDirectStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = direct_uploads.upload_direct_start(
            workspace=request.workspace,
            owner=request.user,
            filename=body.validated_data["filename"],
            size_bytes=body.validated_data["size_bytes"],
            content_type=body.validated_data["content_type"],
        )
        data = {
            "upload_id": upload.asset.public_id,
            "put_url": upload.put_url,
            "headers": upload.headers,
            "expires_at": upload.expires_at,
            "size_bytes": upload.asset.size_bytes,
        }
        return Response(UploadDirectSerializer(data).data, status=status.HTTP_201_CREATED)


class UploadDirectCompleteView(APIView):
    required_scope = Scope.UPLOADS

    @extend_schema(
        summary="Complete a direct upload",
        description=(
            "Checks the stored object has the declared size and is supported media, then "
            "returns the asset. A wrong size or unsupported file is deleted and its space "
            "released. 409 when nothing has been PUT yet."
        ),
        request=None,
        responses={200: AssetSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, upload_id: str) -> Response:
        asset = selectors.asset_get_pending_upload(workspace=request.workspace, public_id=upload_id)
        asset = direct_uploads.upload_direct_complete(asset=asset)
        return Response(AssetSerializer(asset, context={"request": request}).data)


class GalleryListView(ListAPIView[Any]):
    required_scope = {"POST": Scope.UPLOADS}
    serializer_class = AssetSerializer
    # Keyset pages on the asset_list_* indexes: flat cost at any size and depth.
    pagination_class = KeysetCursorPagination

    def get_queryset(self) -> Any:
        query = query_validated(self.request, GalleryListQuerySerializer)
        return selectors.assets_list(workspace=self.request.workspace, **query)

    @extend_schema(
        summary="List the workspace's assets",
        parameters=[GalleryListQuerySerializer],
        responses={200: AssetSerializer(many=True), **errors(400)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Save to the gallery: a media URL, or an uploaded asset",
        description=(
            '`{"url": ...}` fetches the media (capped at the tier\'s per-file limit) and '
            'saves it; `{"asset": "ast_..."}` marks an upload or job output as saved, '
            "exempting it from retention."
        ),
        request=GallerySaveSerializer,
        responses={201: AssetSerializer, **errors(400, 404, 413, 507)},
    )
    def post(self, request: Request) -> Response:
        body = GallerySaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data.get("asset"):
            asset = selectors.asset_get(workspace=request.workspace, public_id=data["asset"])
            asset = services.asset_save(asset=asset)
            asset = services.asset_update(
                asset=asset,
                title=data.get("title"),
                tags=data.get("tags"),
                visibility=data.get("visibility"),
            )
        else:
            asset = services.asset_save_from_url(
                workspace=request.workspace,
                owner=request.user,
                url=data["url"],
                title=data.get("title", ""),
                tags=data.get("tags"),
                visibility=data.get("visibility", "private"),
            )
        return Response(
            AssetSerializer(asset, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class GalleryPublicView(ListAPIView[Any]):
    required_scope = PUBLIC
    permission_classes = [AllowAny]
    serializer_class = GalleryPublicAssetSerializer

    def get_queryset(self) -> Any:
        return selectors.assets_public()

    @extend_schema(
        summary="Public feed: public assets that passed moderation, newest first",
        auth=[],
        responses={200: GalleryPublicAssetSerializer(many=True), **errors()},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class GalleryDetailView(APIView):
    required_scope = {"PATCH": Scope.UPLOADS, "DELETE": Scope.UPLOADS}

    def _get(self, request: Request, asset_id: str) -> Any:
        return selectors.asset_get(workspace=request.workspace, public_id=asset_id)

    @extend_schema(summary="One asset", responses={200: AssetSerializer, **errors(404)})
    def get(self, request: Request, asset_id: str) -> Response:
        return Response(AssetSerializer(self._get(request, asset_id)).data)

    @extend_schema(
        summary="Change title, visibility, tags or favorite",
        description=(
            "Only a saved asset can be made public: for an unsaved one (it would expire "
            "under its public link) `visibility: public` is 400 VALIDATION_ERROR and nothing "
            'of the edit is kept. Save it first (`POST /gallery {"asset": id}`).'
        ),
        request=AssetUpdateSerializer,
        responses={200: AssetSerializer, **errors(400, 404)},
    )
    def patch(self, request: Request, asset_id: str) -> Response:
        asset = self._get(request, asset_id)
        body = AssetUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        asset = services.asset_update(asset=asset, **body.validated_data)
        return Response(AssetSerializer(asset).data)

    @extend_schema(
        summary="Delete an asset (its storage is given back)",
        responses={204: None, **errors(404)},
    )
    def delete(self, request: Request, asset_id: str) -> Response:
        services.asset_delete(asset=self._get(request, asset_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class GalleryReportView(APIView):
    required_scope = Scope.READ

    @extend_schema(
        summary="Report an asset to the moderators",
        description="Any asset you can see: your own, or a public or unlisted one.",
        request=AssetReportCreateSerializer,
        responses={201: AssetReportSerializer, **errors(400, 404)},
        parameters=[OpenApiParameter("asset_id", str, OpenApiParameter.PATH)],
    )
    def post(self, request: Request, asset_id: str) -> Response:
        asset = selectors.asset_get_reportable(workspace=request.workspace, public_id=asset_id)
        body = AssetReportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = services.asset_report(
            workspace=request.workspace,
            reporter=request.user,
            asset=asset,
            reason=body.validated_data["reason"],
        )
        return Response(AssetReportSerializer(report).data, status=status.HTTP_201_CREATED)
