from typing import Any

from django import forms
from django.contrib import admin

from apps.catalog.models import ModelOverride
from apps.catalog.registry import CATALOG


class ModelOverrideForm(forms.ModelForm):
    model_id = forms.ChoiceField(
        choices=lambda: [(m.id, f"{m.id} — {m.name}") for m in CATALOG.values()]
    )

    class Meta:
        model = ModelOverride
        fields = ("model_id", "enabled", "featured", "price_credits", "price_unit", "note")


@admin.register(ModelOverride)
class ModelOverrideAdmin(admin.ModelAdmin):
    form = ModelOverrideForm
    list_display = (
        "model_id",
        "model_name",
        "provider",
        "enabled",
        "featured",
        "price_credits",
        "price_unit",
        "updated_at",
    )
    list_filter = ("enabled", "featured", "price_unit")
    list_editable = ("enabled", "featured")
    search_fields = ("model_id", "note")
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description="Name")
    def model_name(self, obj: ModelOverride) -> Any:
        spec = CATALOG.get(obj.model_id)
        return spec.name if spec else "(not in the catalogue)"

    @admin.display(description="Provider")
    def provider(self, obj: ModelOverride) -> Any:
        spec = CATALOG.get(obj.model_id)
        return spec.provider if spec else "—"
