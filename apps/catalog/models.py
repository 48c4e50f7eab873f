"""Admin overrides on top of the catalogue in code: disable a model, change its price,
feature it. They apply on the next request, without a deploy."""

from django.core.exceptions import ValidationError
from django.db import models

from apps.catalog.registry import CATALOG
from apps.core.models import BaseModel


class OverrideUnit(models.TextChoices):
    PER_RUN = "per_run", "Credits per run"
    PER_SECOND = "per_second", "Credits per second of output"


class ModelOverride(BaseModel):
    model_id = models.CharField(max_length=200, unique=True, help_text="A catalogue model id.")
    enabled = models.BooleanField(
        default=True, help_text="Off: listed as unavailable and refused on submit."
    )
    featured = models.BooleanField(default=False, help_text="Shown first in model pickers.")
    # Replaces the model's pricing rule when set (credits); the audio multiplier, free
    # perks and tier discounts still apply.
    price_credits = models.PositiveIntegerField(
        null=True, blank=True, help_text="Price override in credits (empty: the catalogue's)."
    )
    price_unit = models.CharField(
        max_length=16, choices=OverrideUnit.choices, default=OverrideUnit.PER_RUN
    )
    note = models.TextField(blank=True, help_text="Why: shown to staff only.")

    class Meta:
        ordering = ("model_id",)

    def __str__(self) -> str:
        return self.model_id

    def clean(self) -> None:
        if self.model_id not in CATALOG:
            raise ValidationError({"model_id": f"No model {self.model_id!r} in the catalogue."})
