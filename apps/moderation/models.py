"""The moderation queue: operator-editable term lists, cases and their audit trail.

Cases reference their subject by public id (a job's `job_…`, an asset's `ast_…`) because
moderation sits below jobs in the layering and may not hold a foreign key to it."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.accounts.models import Workspace
from apps.core.models import BaseModel, PublicIdField
from apps.core.refcache import ProcessCopy

# The categories the seeded list and the hosted backend use; operators may add others.
KNOWN_CATEGORIES = (
    "sexual_minors",
    "sexual",
    "violence_graphic",
    "violence",
    "self_harm",
    "hate",
    "harassment",
    "weapons_instructions",
    "illicit",
    "profanity",
)


class Decision(models.TextChoices):
    ALLOW = "allow", "Allow"
    REVIEW = "review", "Review"
    BLOCK = "block", "Block"


class TermAction(models.TextChoices):
    REVIEW = "review", "Send to review"
    BLOCK = "block", "Block"
    # An idiom or film term that contains a listed word ("kill the lights"): its matches
    # are taken out of the text before the review entries look at it (never the block
    # entries).
    ALLOW = "allow", "Allow (idiom or film term)"


class ModerationTermQuerySet(models.QuerySet["ModerationTerm"]):
    """Bulk writes skip the model signals: these tell the screeners' copy themselves."""

    def update(self, **kwargs: Any) -> int:
        changed = super().update(**kwargs)
        TERMS.changed()
        return changed

    def bulk_create(self, *args: Any, **kwargs: Any) -> list["ModerationTerm"]:
        created = super().bulk_create(*args, **kwargs)
        TERMS.changed()
        return created

    def delete(self) -> tuple[int, dict[str, int]]:
        deleted = super().delete()
        TERMS.changed()
        return deleted


class ModerationTerm(BaseModel):
    """One entry of the rules backend's lists. `term` is a word or phrase matched on word
    boundaries after normalisation (case, spacing, punctuation, leetspeak, look-alikes);
    with `is_regex` it is a Python regular expression applied to the normalised text."""

    category = models.SlugField(max_length=40, help_text="e.g. " + ", ".join(KNOWN_CATEGORIES))
    term = models.CharField(max_length=300)
    is_regex = models.BooleanField(default=False)
    action = models.CharField(max_length=8, choices=TermAction.choices, default=TermAction.REVIEW)
    enabled = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)

    objects = ModerationTermQuerySet.as_manager()

    class Meta:
        ordering = ("category", "term")
        constraints = [
            models.UniqueConstraint(fields=["category", "term"], name="moderationterm_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.term} ({self.action})"


def _enabled_terms() -> list[tuple[str, str, bool, str]]:
    return list(
        ModerationTerm.objects.filter(enabled=True).values_list(
            "category", "term", "is_regex", "action"
        )
    )


# The enabled terms (category, term, is_regex, action), as the rules backend reads them
# on every submit: a per-process copy kept exact by a version token in the shared cache
# (apps/core/refcache.py). Saves and deletes tell it through ModerationConfig's receivers,
# bulk writes through ModerationTermQuerySet.
TERMS = ProcessCopy("moderation-terms", _enabled_terms)


class SubjectType(models.TextChoices):
    JOB = "job", "Job prompt"
    ASSET = "asset", "Asset"
    REPORT = "report", "Reported asset"


class CaseOrigin(models.TextChoices):
    SCREENING = "screening", "Prompt screening"
    VISIBILITY = "visibility", "Publishing screening"
    REPORT = "report", "User reports"
    PROVIDER = "provider", "Provider refusal"


class CaseState(models.TextChoices):
    OPEN = "open", "Open"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ModerationCase(BaseModel):
    public_id = PublicIdField(prefix="case")
    # The subject's workspace (the tenant whose content is judged), not the reporter's.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="moderation_cases"
    )
    subject_type = models.CharField(max_length=8, choices=SubjectType.choices)
    subject_id = models.CharField(max_length=40, db_index=True)
    origin = models.CharField(max_length=12, choices=CaseOrigin.choices)
    state = models.CharField(max_length=10, choices=CaseState.choices, default=CaseState.OPEN)
    # Higher first; reports and severe categories raise it.
    priority = models.PositiveSmallIntegerField(default=0)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the subject looked like when the case was opened (the subject may change later).
    snapshot_text = models.TextField(blank=True)
    media_key = models.CharField(max_length=512, blank=True)
    media_kind = models.CharField(max_length=8, blank=True)
    # Screening output: backend name, categories hit, {category: score 0..1}.
    backend = models.CharField(max_length=20, blank=True)
    categories = models.JSONField(default=list, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    report_count = models.PositiveIntegerField(default=0)
    # The latest decision ("" until the first one); after an appeal the state is open again
    # while this still says what was decided before.
    decision = models.CharField(max_length=10, choices=CaseState.choices, blank=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the case (last) entered the queue; the clock for time-to-decision.
    opened_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    appeal_message = models.TextField(blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "subject_type", "created_at"]),
            models.Index(fields=["decided_at"]),
        ]
        constraints = [
            # Asset and report cases both judge the asset, so the subject id alone is unique
            # among open cases: a new report or screening joins the open case.
            models.UniqueConstraint(
                fields=["subject_id"],
                condition=Q(state="open"),
                name="moderationcase_one_open_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.subject_type} {self.subject_id} ({self.state})"


class ActionKind(models.TextChoices):
    OPEN = "open", "Opened"
    JOIN = "join", "Joined (screened again)"
    REPORT = "report", "Report added"
    HIDE = "hide", "Hidden from the public feed"
    CLAIM = "claim", "Claimed"
    APPROVE = "approve", "Approved"
    REJECT = "reject", "Rejected"
    APPEAL = "appeal", "Appealed (reopened)"


class ModerationAction(models.Model):
    """The audit trail: append-only, one row per thing that happened to a case."""

    case = models.ForeignKey(ModerationCase, on_delete=models.CASCADE, related_name="actions")
    # None for the system (screening, report thresholds).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=ActionKind.choices)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"
