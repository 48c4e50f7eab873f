from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from apps.accounts.models import ApiKey, Role
from apps.accounts.scopes import DEFAULT_SCOPES, Scope


class LoginForm(AuthenticationForm):
    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True}))


class SignupForm(forms.Form):
    email = forms.EmailField()
    name = forms.CharField(max_length=150, required=False)
    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password"):
            password_validation.validate_password(data["password"])
        return data


class ApiKeyForm(forms.Form):
    """A key's name and settings. Only types are checked here; the accounts service checks
    meaning (known models, a future expiry) exactly as for the API."""

    name = forms.CharField(max_length=100)
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every scope but admin.",
    )
    allowed_models = forms.CharField(
        required=False,
        max_length=5000,
        help_text="Model ids or prefixes like local/, separated by commas; empty = every model.",
    )
    monthly_credit_limit = forms.IntegerField(
        required=False, min_value=0, help_text="Credits per calendar month (UTC); empty = none."
    )
    expires_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="UTC; empty = never.",
    )

    @classmethod
    def for_key(cls, api_key: ApiKey) -> "ApiKeyForm":
        return cls(
            initial={
                "name": api_key.name,
                "scopes": api_key.scopes,
                "allowed_models": ", ".join(api_key.allowed_models),
                "monthly_credit_limit": api_key.monthly_credit_limit,
                "expires_at": api_key.expires_at,
            }
        )

    def settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        models = [m for m in data["allowed_models"].replace(",", " ").split() if m]
        return {
            "name": data["name"],
            "scopes": data["scopes"] or list(DEFAULT_SCOPES),
            "allowed_models": models,
            "monthly_credit_limit": data["monthly_credit_limit"],
            "expires_at": data["expires_at"],
        }


class MemberAddForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
