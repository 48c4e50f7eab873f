"""Assets (uploads and job results) and the reports users file against them.

Storage accounting: `Workspace.storage_used_bytes` is the sum of `size_bytes` over the
workspace's Asset rows, in every status. A row is created (status `uploading`) in the same
transaction that reserves its bytes, so the counter and the rows agree at every commit and
the periodic recount can fix drift without racing in-flight uploads."""

from django.conf import settings
from django.db import models

from apps.accounts.models import Workspace
from apps.core.models import BaseModel, PublicIdField


class AssetKind(models.TextChoices):
    VIDEO = "video", "Video"
    IMAGE = "image", "Image"
    AUDIO = "audio", "Audio"


class AssetStatus(models.TextChoices):
    # Bytes reserved, object being written (or, for direct uploads, awaiting the PUT).
    UPLOADING = "uploading", "Uploading"
    # A direct upload's PUT holds the claim and is writing the object (one PUT at a time).
    RECEIVING = "receiving", "Receiving"
    READY = "ready", "Ready"


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private"
    UNLISTED = "unlisted", "Unlisted"
    PUBLIC = "public", "Public"


class ModerationState(models.TextChoices):
    PENDING = "pending", "Pending review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


_LIST = ("workspace", "status")
_ORDER = ("-created_at", "-public_id")


class Asset(BaseModel):
    public_id = PublicIdField(prefix="ast")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="assets")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=AssetStatus.choices, default=AssetStatus.UPLOADING
    )
    kind = models.CharField(max_length=8, choices=AssetKind.choices, blank=True)

    # Private object key, always under `ws/<workspace public id>/`.
    storage_key = models.CharField(max_length=512, blank=True)
    thumbnail_key = models.CharField(max_length=512, blank=True)
    # An HLS rendition set of the video (issue 17): its master playlist's key; the variant
    # playlists and segments sit beside it as `<prefix>hls-*` and count in size_bytes.
    hls_key = models.CharField(max_length=512, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    container = models.CharField(max_length=16, blank=True)
    # Bytes charged to the workspace's quota (bytes). Thumbnails are derived and not charged.
    size_bytes = models.BigIntegerField(default=0)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds.")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    fps = models.FloatField(null=True, blank=True)
    video_codec = models.CharField(max_length=32, blank=True)
    audio_codec = models.CharField(max_length=32, blank=True)

    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    moderation_state = models.CharField(
        max_length=10, choices=ModerationState.choices, default=ModerationState.PENDING
    )
    title = models.CharField(max_length=200, blank=True)
    prompt = models.TextField(blank=True)
    model = models.CharField(max_length=100, blank=True)
    # The jobs app sits above gallery, so the job is referenced by its public id only.
    source_job_id = models.CharField(max_length=40, blank=True, db_index=True)
    # A job's output made by the provider sandbox (PROVIDER_SANDBOX): a placeholder video.
    sandbox = models.BooleanField(default=False)
    tags = models.JSONField(default=list, blank=True)
    favorite = models.BooleanField(default=False)
    # Saved to the gallery (kept) vs. an unsaved upload or job output (retention applies).
    saved = models.BooleanField(default=False)
    # Direct uploads: when the presigned PUT stops working.
    upload_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The gallery list (selectors.assets_list through KeysetCursorPagination): one
            # range scan from the cursor, in the list's order, whatever the workspace's
            # size. A filter the API takes gets its own index in the same order, so a
            # rare match (3 favourites among 100k) is found without reading the rest;
            # further filters on top are checked on the rows that index yields.
            models.Index(fields=[*_LIST, *_ORDER], name="asset_list_idx"),
            models.Index(fields=[*_LIST, "kind", *_ORDER], name="asset_list_kind_idx"),
            models.Index(fields=[*_LIST, "visibility", *_ORDER], name="asset_list_visibility_idx"),
            models.Index(fields=[*_LIST, "favorite", *_ORDER], name="asset_list_favorite_idx"),
            models.Index(fields=[*_LIST, "saved", *_ORDER], name="asset_list_saved_idx"),
            models.Index(fields=["visibility", "moderation_state", "-created_at"]),
            models.Index(fields=["saved", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(size_bytes__gte=0), name="asset_size_nonneg")
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.kind or 'pending'})"

    @property
    def key_prefix(self) -> str:
        return f"ws/{self.workspace.public_id}/assets/{self.public_id}/"

    def public_text(self) -> str:
        """Every user text of this asset that other people can see once it is public: the
        public feed shows the title and the tags, and the prompt goes with the asset.
        Moderation screens exactly this, and gallery re-screens whenever it changes."""
        return "\n".join(str(t) for t in (self.title, *(self.tags or []), self.prompt) if t)


class ReportState(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    DISMISSED = "dismissed", "Dismissed"


class AssetReport(BaseModel):
    """A user's report of an asset, for the moderation queue. `workspace` is the reporter's
    workspace (the tenant that filed it); the asset may belong to another one."""

    public_id = PublicIdField(prefix="rpt")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.OPEN)

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"])]
        constraints = [
            # One report per user and asset; a repeat returns the first.
            models.UniqueConstraint(
                fields=["asset", "reporter"],
                condition=models.Q(reporter__isnull=False),
                name="assetreport_once_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.public_id} on {self.asset_id}"
