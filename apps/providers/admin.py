from typing import Any

from django import forms
from django.contrib import admin

from apps.providers import crypto
from apps.providers.models import ProviderCredential


class ProviderCredentialForm(forms.ModelForm):
    secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Write-only: enter a key to set or replace it; leave empty to keep it.",
    )

    class Meta:
        model = ProviderCredential
        fields = ("workspace", "provider", "label")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.instance.pk and not data.get("secret"):
            self.add_error("secret", "A new provider key needs its secret.")
        return data

    def save(self, commit: bool = True) -> ProviderCredential:
        secret = (self.cleaned_data.get("secret") or "").strip()
        if secret:
            self.instance.secret_encrypted = crypto.encrypt(secret)
            self.instance.last4 = secret[-4:]
        return super().save(commit=commit)


@admin.register(ProviderCredential)
class ProviderCredentialAdmin(admin.ModelAdmin):
    form = ProviderCredentialForm
    list_display = ("public_id", "workspace", "provider", "label", "masked", "created_at")
    list_filter = ("provider",)
    search_fields = ("public_id", "workspace__name", "label")
    readonly_fields = ("public_id", "masked", "created_at")
    raw_id_fields = ("workspace",)
