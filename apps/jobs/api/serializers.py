from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.catalog.api.serializers import StoryboardSceneSerializer
from apps.catalog.registry.types import Method, Quality
from apps.core.api.strict import KnownFieldsSerializer
from apps.jobs.api import shapes
from apps.jobs.models import Job, JobStatus

# The `*_data` inputs: files inside a JSON body.
DATA_HELP = "Base64 or a data: URL, capped at the tier's per-file limit (JSON bodies: 10 MB)."


class JobErrorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()
    retryable = serializers.BooleanField()


class JobResultSerializer(serializers.Serializer[Any]):
    asset = serializers.CharField(help_text="Gallery asset id (ast_…).")
    video_url = serializers.URLField(
        help_text="Absolute, signed, short-lived. For format `hls`, the master playlist."
    )
    hls_url = serializers.URLField(
        allow_null=True,
        help_text="The signed HLS master playlist (output_format `hls`); its variant "
        "playlists and segments are signed by the same token and expire with it.",
    )
    mp4_url = serializers.URLField(help_text="The MP4 result itself, signed, short-lived.")
    thumbnail_url = serializers.URLField(allow_null=True)
    duration = serializers.FloatField(allow_null=True, help_text="Seconds.")
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    format = serializers.CharField()
    size_bytes = serializers.IntegerField()


class JobCreditsSerializer(serializers.Serializer[Any]):
    estimated = serializers.IntegerField(
        help_text="Credits quoted at submit for the model now trying (with fallbacks, the "
        "model that delivered)."
    )
    held = serializers.IntegerField(help_text="Credits reserved until delivery.")
    charged = serializers.IntegerField(help_text="Credits captured on delivery.")


class JobAttemptErrorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField(allow_blank=True)


class JobAttemptSerializer(serializers.Serializer[Any]):
    model = serializers.CharField(help_text="Catalog model id tried.")
    provider = serializers.CharField()
    error = JobAttemptErrorSerializer(
        allow_null=True, help_text="How the attempt failed; null: it delivered."
    )
    at = serializers.DateTimeField()


class JobSerializer(serializers.ModelSerializer[Job]):
    id = serializers.CharField(source="public_id")
    status = serializers.ChoiceField(choices=JobStatus.choices)
    error = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    credits = serializers.SerializerMethodField()
    fallback_models = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The fallback models asked for, in order (apps/jobs/fallback.py).",
    )
    attempts = JobAttemptSerializer(
        source="attempt_log",
        many=True,
        read_only=True,
        help_text="Every model tried, in order, and how it ended.",
    )
    sandbox = serializers.BooleanField(
        read_only=True,
        help_text="Run on the provider sandbox (PROVIDER_SANDBOX): the result is a placeholder.",
    )

    class Meta:
        model = Job
        fields = (
            "id",
            "status",
            "progress",
            "stage",
            "method",
            "model",
            "sandbox",
            "prompt",
            "params",
            "inputs",
            "notes",
            "created_at",
            "started_at",
            "completed_at",
            "error",
            "result",
            "credits",
            "fallback_models",
            "attempts",
        )

    @extend_schema_field(JobErrorSerializer(allow_null=True))
    def get_error(self, job: Job) -> dict[str, Any] | None:
        return shapes.job_error(job.error_code, job.error_message, job.error_retryable)

    @extend_schema_field(JobResultSerializer(allow_null=True))
    def get_result(self, job: Job) -> dict[str, Any] | None:
        # Webhook payloads ask for links that outlive the whole retry schedule.
        return shapes.job_result(job.status, job.result_asset, ttl=self.context.get("url_ttl"))

    @extend_schema_field(JobCreditsSerializer)
    def get_credits(self, job: Job) -> dict[str, int]:
        return shapes.job_credits(job.credits_estimated, job.credits_held, job.credits_charged)


class GenerateRequestSerializer(serializers.Serializer[Any]):
    """Documentation of the body; validation is the catalog's preflight, which reports
    every problem at once."""

    method = serializers.ChoiceField(
        choices=[
            "text-to-video",
            "image-to-video",
            "extend-video",
            "lip-sync",
            "storyboard",
            "edit",
        ],
        help_text="`edit` with an AI edit model (lightricks/ltx-2-retake) is a retake, the "
        "same job as POST /api/v1/process `retake`: the source video in `source_*`, the "
        "stretch in `start_time` and `duration`.",
    )
    prompt = serializers.CharField(required=False, allow_blank=True)
    model = serializers.CharField(
        required=False, allow_blank=True, help_text="Auto-selected by quality if absent."
    )
    quality = serializers.ChoiceField(choices=Quality.choices, required=False)
    fallback_models = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        max_length=3,
        help_text="Models to try in order if the model's provider fails before any output "
        "(same method, each checked against this request). The hold is the highest price "
        "among them; the model that delivers is charged its own price.",
    )
    duration = serializers.IntegerField(
        required=False, help_text="Seconds (a retake: the length of the regenerated stretch)."
    )
    start_time = serializers.FloatField(
        required=False,
        min_value=0,
        help_text="Retake: where the regenerated stretch starts in the source (s, default 0).",
    )
    retake_mode = serializers.ChoiceField(
        choices=["replace_audio_and_video", "replace_video", "replace_audio"],
        required=False,
        help_text="Retake: what the stretch replaces (the provider's default: both).",
    )
    resolution = serializers.CharField(required=False, allow_blank=True)
    aspect_ratio = serializers.CharField(required=False, allow_blank=True)
    fps = serializers.IntegerField(
        required=False, help_text="On models whose `controls.fps` takes it; others refuse it."
    )
    camera_motion = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="static, pan, pan_left, pan_right, tilt, tilt_up, tilt_down, zoom, zoom_in, "
        "zoom_out: only on models whose `controls.camera_motion` takes it (GET /models); "
        "others refuse it with details.supported_models.",
    )
    motion_strength = serializers.FloatField(
        required=False, help_text="0-1, on models whose `controls.motion_strength` takes it."
    )
    seed = serializers.IntegerField(required=False)
    negative_prompt = serializers.CharField(required=False, allow_blank=True)
    with_audio = serializers.BooleanField(required=False)
    generate_audio = serializers.BooleanField(
        required=False,
        help_text="Same as with_audio. Seedance 1.5 Pro extend makes sound (x2 price) "
        "unless this is false.",
    )
    mode = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text='extend-video: "continue" with an image-to-video model renders the '
        "continuation from the source's last frame and delivers the source followed by it "
        "(priced as that model's run). Grok: fun, normal or spicy.",
    )
    crossfade = serializers.FloatField(
        required=False,
        min_value=0,
        max_value=1,
        help_text='Seconds of dissolve between the source and its continuation (mode "continue").',
    )
    storyboard = StoryboardSceneSerializer(many=True, required=False)
    source_file = serializers.FileField(required=False)
    source_asset = serializers.CharField(required=False, allow_blank=True)
    source_url = serializers.URLField(required=False)
    source_data = serializers.CharField(
        required=False,
        help_text=DATA_HELP,
    )
    audio_file = serializers.FileField(required=False)
    audio_asset = serializers.CharField(required=False, allow_blank=True)
    audio_url = serializers.URLField(required=False)
    audio_data = serializers.CharField(
        required=False,
        help_text=DATA_HELP,
    )
    end_image_file = serializers.FileField(required=False)
    end_image_asset = serializers.CharField(required=False, allow_blank=True)
    end_image_url = serializers.URLField(required=False)
    end_image_data = serializers.CharField(
        required=False,
        help_text=DATA_HELP,
    )
    output_format = serializers.ChoiceField(
        choices=["hls"],
        required=False,
        help_text="`hls`: also deliver an adaptive HLS set (tiers in HLS_TIERS only; "
        "others get 400 INVALID_FORMAT naming them). The result's video_url is then the "
        "signed master playlist.",
    )
    webhook_url = serializers.URLField(
        required=False,
        help_text="Also POST this job's terminal event (task.completed, task.failed, …) "
        "here, signed with the workspace's job secret (GET /api/v1/webhooks/job-secret).",
    )


class ProcessRequestSerializer(KnownFieldsSerializer):
    """Documentation of the body; a field not listed here is a 400 naming it."""

    operation = serializers.ChoiceField(
        choices=["edit", "retake", "enhance", "transform", "optimize", "remove-background"],
        help_text="`retake`: regenerate a stretch of the video from `prompt` with an AI edit "
        "model (default: the first available, e.g. lightricks/ltx-2-retake).",
    )
    model = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="A local model by default; for `retake`, an AI edit model (any other is "
        "400, listing those that do it). `edit` with an AI edit model works as `retake`.",
    )
    prompt = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="retake / AI edit models: what the regenerated stretch shows (required "
        "there). A model that takes no prompt refuses one.",
    )
    settings = serializers.DictField(
        required=False,
        help_text=(
            "edit: trim_start, trim_end (s), trim_mode (accurate|keyframe), aspect_ratio, "
            "speed, mute, fit; enhance: "
            "target_resolution (480p…2160p); transform: format (mp4|webm|mov, or hls for "
            "tiers in HLS_TIERS), aspect_ratio, resolution; optimize: quality "
            "(low|medium|high) or target_size_mb; remove-background: background_color "
            "(#rrggbb: an MP4 on that colour; without it a WebM with alpha). retake and "
            "edit with an AI edit model: the model's own settings as GET /api/v1/models "
            "lists them; LTX-2 Retake: "
            "start_time (s, ≥ 0, default 0), duration (the stretch, 2-16 s, default 5, "
            "priced per second), resolution (720p|1080p), retake_mode "
            "(replace_audio_and_video|replace_video|replace_audio), seed. The stretch must "
            "lie inside the video. Unknown names are a 400 listing the allowed ones."
        ),
    )
    source_file = serializers.FileField(required=False)
    source_asset = serializers.CharField(required=False, allow_blank=True)
    source_url = serializers.URLField(required=False)
    source_data = serializers.CharField(
        required=False,
        help_text=DATA_HELP,
    )
    webhook_url = serializers.URLField(
        required=False,
        help_text="Also POST this job's terminal event (task.completed, task.failed, …) "
        "here, signed with the workspace's job secret (GET /api/v1/webhooks/job-secret).",
    )


class TaskListQuerySerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=JobStatus.choices, required=False)
    method = serializers.ChoiceField(choices=Method.choices, required=False)
