from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.schema import NULLABLE_URI
from apps.gallery import storage
from apps.gallery.models import AssetReport
from apps.moderation import selectors
from apps.moderation.models import CaseState, ModerationAction, ModerationCase, SubjectType


class ModerationActionSerializer(serializers.ModelSerializer[ModerationAction]):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ModerationAction
        fields = ("action", "actor", "message", "data", "created_at")
        read_only_fields = fields

    def get_actor(self, obj: ModerationAction) -> str | None:
        return obj.actor.email if obj.actor else None


class ModerationReportSerializer(serializers.ModelSerializer[AssetReport]):
    id = serializers.CharField(source="public_id", read_only=True)

    class Meta:
        model = AssetReport
        fields = ("id", "reason", "state", "created_at")
        read_only_fields = fields


class ModerationCaseSerializer(serializers.ModelSerializer[ModerationCase]):
    id = serializers.CharField(source="public_id", read_only=True)
    workspace = serializers.CharField(source="workspace.public_id", read_only=True)
    assignee = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = ModerationCase
        fields = (
            "id",
            "workspace",
            "subject_type",
            "subject_id",
            "origin",
            "state",
            "priority",
            "assignee",
            "snapshot_text",
            "backend",
            "categories",
            "scores",
            "report_count",
            "decision",
            "reason",
            "decided_by",
            "opened_at",
            "decided_at",
            "appeal_message",
            "appealed_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_assignee(self, obj: ModerationCase) -> str | None:
        return obj.assignee.email if obj.assignee else None

    def get_decided_by(self, obj: ModerationCase) -> str | None:
        return obj.decided_by.email if obj.decided_by else None


class ModerationCaseDetailSerializer(ModerationCaseSerializer):
    media_url = serializers.SerializerMethodField(help_text="Short-lived signed URL, if any.")
    reports = serializers.SerializerMethodField()
    actions = ModerationActionSerializer(many=True, read_only=True)

    class Meta(ModerationCaseSerializer.Meta):
        fields = (*ModerationCaseSerializer.Meta.fields, "media_url", "reports", "actions")
        read_only_fields = fields

    @extend_schema_field(NULLABLE_URI)
    def get_media_url(self, obj: ModerationCase) -> str | None:
        asset = selectors.case_asset(case=obj)
        key = asset.storage_key if asset is not None else obj.media_key
        return storage.signed_url(key) if key else None

    @extend_schema_field(ModerationReportSerializer(many=True))
    def get_reports(self, obj: ModerationCase) -> list[dict[str, Any]]:
        return ModerationReportSerializer(selectors.case_reports(case=obj), many=True).data  # type: ignore[return-value]


class ModerationCaseListQuerySerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=CaseState.choices, required=False)
    subject_type = serializers.ChoiceField(choices=SubjectType.choices, required=False)


class ModerationDecisionSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ModerationAppealCreateSerializer(serializers.Serializer[Any]):
    case = serializers.CharField(required=False, help_text="The case id (case_…).")
    job = serializers.CharField(required=False, help_text="Or the rejected job's id (job_…).")
    message = serializers.CharField(max_length=4000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("case")) == bool(attrs.get("job")):
            raise serializers.ValidationError("Give either case or job.")
        return attrs


class ModerationAppealSerializer(serializers.ModelSerializer[ModerationCase]):
    """What the owner sees of their case after appealing."""

    case = serializers.CharField(source="public_id", read_only=True)

    class Meta:
        model = ModerationCase
        fields = (
            "case",
            "subject_type",
            "subject_id",
            "state",
            "decision",
            "reason",
            "appeal_message",
            "appealed_at",
        )
        read_only_fields = fields


class ModerationCategoryCountSerializer(serializers.Serializer[Any]):
    approved = serializers.IntegerField()
    rejected = serializers.IntegerField()


class ModerationStatsSerializer(serializers.Serializer[Any]):
    queue_depth = serializers.IntegerField(help_text="Open cases.")
    queue_depth_by_type = serializers.DictField(child=serializers.IntegerField())
    oldest_open_age_s = serializers.FloatField(allow_null=True, help_text="Seconds.")
    median_time_to_decision_s = serializers.FloatField(
        allow_null=True, help_text="Seconds, staff decisions in the window."
    )
    window_days = serializers.IntegerField()
    decisions = ModerationCategoryCountSerializer()
    decisions_by_category = serializers.DictField(child=ModerationCategoryCountSerializer())
