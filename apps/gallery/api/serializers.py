from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.schema import NULLABLE_URI
from apps.core.api.strict import KnownFieldsSerializer
from apps.core.http import OutboundError, validate_public_url
from apps.gallery import services, storage
from apps.gallery.models import Asset, AssetKind, AssetReport, Visibility


class AssetSerializer(serializers.ModelSerializer[Asset]):
    id = serializers.CharField(source="public_id", read_only=True)
    workspace = serializers.CharField(source="workspace.public_id", read_only=True)
    url = serializers.SerializerMethodField(help_text="Short-lived signed URL (supports Range).")
    download_url = serializers.SerializerMethodField(help_text="Same, as an attachment.")
    thumbnail_url = serializers.SerializerMethodField()
    expires_at = serializers.SerializerMethodField(
        help_text="When retention deletes this unsaved asset; null once saved."
    )

    class Meta:
        model = Asset
        fields = (
            "id",
            "workspace",
            "kind",
            "status",
            "title",
            "original_name",
            "content_type",
            "size_bytes",
            "duration",
            "width",
            "height",
            "fps",
            "video_codec",
            "audio_codec",
            "visibility",
            "moderation_state",
            "tags",
            "favorite",
            "saved",
            "prompt",
            "model",
            "source_job_id",
            "sandbox",
            "url",
            "download_url",
            "thumbnail_url",
            "expires_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(NULLABLE_URI)
    def get_url(self, obj: Asset) -> str | None:
        return storage.asset_url(obj)

    @extend_schema_field(NULLABLE_URI)
    def get_download_url(self, obj: Asset) -> str | None:
        return storage.asset_url(obj, attachment=True)

    @extend_schema_field(NULLABLE_URI)
    def get_thumbnail_url(self, obj: Asset) -> str | None:
        return storage.asset_thumbnail_url(obj)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_expires_at(self, obj: Asset) -> Any:
        return services.asset_expires_at(obj)


class GalleryPublicAssetSerializer(serializers.ModelSerializer[Asset]):
    """What the public feed shows: no workspace internals, no prompt."""

    id = serializers.CharField(source="public_id", read_only=True)
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = (
            "id",
            "kind",
            "title",
            "content_type",
            "duration",
            "width",
            "height",
            "tags",
            "url",
            "thumbnail_url",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field(NULLABLE_URI)
    def get_url(self, obj: Asset) -> str | None:
        return storage.asset_url(obj)

    @extend_schema_field(NULLABLE_URI)
    def get_thumbnail_url(self, obj: Asset) -> str | None:
        return storage.asset_thumbnail_url(obj)


class GalleryListQuerySerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=AssetKind.choices, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    favorite = serializers.BooleanField(required=False, allow_null=True, default=None)
    saved = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = serializers.CharField(required=False, max_length=200, help_text="Text search.")


class GallerySaveSerializer(serializers.Serializer[Any]):
    url = serializers.URLField(required=False, max_length=2000, help_text="Media URL to fetch.")
    asset = serializers.CharField(
        required=False, max_length=40, help_text="An uploaded asset (ast_…) to keep."
    )
    title = serializers.CharField(required=False, max_length=200, allow_blank=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=30
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)

    def validate_url(self, value: str) -> str:
        # Django's URLValidator lets through hosts no fetcher can use (①②⑦.com, ...).
        try:
            validate_public_url(value)
        except OutboundError as exc:
            raise serializers.ValidationError(exc.message) from None
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("url")) == bool(attrs.get("asset")):
            raise serializers.ValidationError("Send exactly one of `url` or `asset`.")
        return attrs


class AssetUpdateSerializer(KnownFieldsSerializer):
    """Unknown fields are a 400 naming them (nothing of the edit is kept)."""

    title = serializers.CharField(required=False, max_length=200, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=30
    )
    favorite = serializers.BooleanField(required=False)


class AssetReportCreateSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class AssetReportSerializer(serializers.ModelSerializer[AssetReport]):
    id = serializers.CharField(source="public_id", read_only=True)
    asset = serializers.CharField(source="asset.public_id", read_only=True)

    class Meta:
        model = AssetReport
        fields = ("id", "asset", "reason", "state", "created_at")
        read_only_fields = fields


class UploadFileSerializer(serializers.Serializer[Any]):
    """multipart/form-data with the media in `file`."""

    file = serializers.FileField()


class UploadDirectStartSerializer(serializers.Serializer[Any]):
    filename = serializers.CharField(max_length=255)
    size_bytes = serializers.IntegerField(min_value=1)
    content_type = serializers.CharField(
        max_length=100, required=False, default="application/octet-stream"
    )


class UploadDirectSerializer(serializers.Serializer[Any]):
    upload_id = serializers.CharField(help_text="The asset id (ast_…) once completed.")
    put_url = serializers.URLField(help_text="PUT exactly size_bytes bytes here.")
    headers = serializers.DictField(
        child=serializers.CharField(), help_text="Headers to send with the PUT."
    )
    expires_at = serializers.DateTimeField()
    size_bytes = serializers.IntegerField()
