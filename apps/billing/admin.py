"""Staff see accounts, entries, holds and Stripe events read-only. Credits change only
through "Add ledger entry", which calls credits_grant / credits_adjust (never a bare
save), and entries can never be edited or deleted."""

import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.shortcuts import redirect

from apps.accounts.models import Workspace
from apps.billing import services
from apps.billing.models import (
    CheckoutSession,
    CreditAccount,
    CreditHold,
    CreditPack,
    LedgerEntry,
    StripeEvent,
    Subscription,
    TierPlan,
)
from apps.core.errors import ApplicationError


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CreditAccount)
class CreditAccountAdmin(ReadOnlyAdmin):
    list_display = ("workspace", "balance", "held", "available", "in_debt", "stripe_customer_id")
    list_filter = ("in_debt",)
    search_fields = ("workspace__name", "workspace__public_id", "stripe_customer_id")


class CreditChangeForm(forms.ModelForm):
    KINDS = [
        (LedgerEntry.Kind.GRANT, "Grant (adds credits)"),
        (LedgerEntry.Kind.ADJUSTMENT, "Adjustment (signed correction)"),
    ]
    kind = forms.ChoiceField(choices=KINDS)
    credits = forms.IntegerField(help_text="Credits; negative only for adjustments.")
    description = forms.CharField(label="Reason", max_length=500)
    # Generated when the form is shown, so submitting it twice grants once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = LedgerEntry
        fields = ("workspace", "kind", "credits", "description", "idempotency_key")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = f"admin:{uuid.uuid4()}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == LedgerEntry.Kind.GRANT and (data.get("credits") or 0) <= 0:
            self.add_error("credits", "A grant adds a positive number of credits.")
        if data.get("credits") == 0:
            self.add_error("credits", "Zero changes nothing.")
        return data


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "workspace",
        "kind",
        "credits",
        "balance_after",
        "reference",
        "description",
        "created_by",
    )
    list_filter = ("kind",)
    search_fields = ("workspace__name", "workspace__public_id", "reference", "idempotency_key")
    date_hierarchy = "created_at"
    raw_id_fields = ("workspace",)

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = CreditChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("workspace", "kind", "credits", "description", "idempotency_key")
        return [f.name for f in LedgerEntry._meta.fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else [f.name for f in LedgerEntry._meta.fields]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        workspace: Workspace = data["workspace"]
        try:
            if data["kind"] == LedgerEntry.Kind.GRANT:
                entry = services.credits_grant(
                    workspace=workspace,
                    credits=data["credits"],
                    idempotency_key=data["idempotency_key"],
                    reason=data["description"],
                    reference="admin",
                    actor=request.user,  # type: ignore[arg-type]
                )
            else:
                entry = services.credits_adjust(
                    workspace=workspace,
                    credits=data["credits"],
                    reason=data["description"],
                    idempotency_key=data["idempotency_key"],
                    actor=request.user,  # type: ignore[arg-type]
                    reference="admin",
                )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            raise
        obj.pk = entry.pk
        obj._state.adding = False

    def add_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().add_view(request, *args, **kwargs)
        except ApplicationError:
            # save_model already put the message up; the form starts over with a new key.
            return redirect(request.get_full_path())


@admin.register(CreditHold)
class CreditHoldAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "workspace", "credits", "captured_credits", "state", "reference")
    list_filter = ("state",)
    search_fields = ("public_id", "reference", "workspace__public_id")


@admin.register(CreditPack)
class CreditPackAdmin(admin.ModelAdmin):
    list_display = ("name", "credits", "price_cents", "currency", "active", "sort_order")
    list_editable = ("active", "sort_order")
    readonly_fields = ("public_id",)


@admin.register(TierPlan)
class TierPlanAdmin(admin.ModelAdmin):
    list_display = ("tier", "stripe_price_id", "price_cents", "currency", "active")


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("workspace", "stripe_subscription_id", "status", "tier", "current_period_end")
    list_filter = ("status",)


@admin.register(CheckoutSession)
class CheckoutSessionAdmin(ReadOnlyAdmin):
    list_display = ("session_id", "workspace", "mode", "credits", "fulfilled_at", "created_at")


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "type", "status", "attempts", "received_at", "processed_at")
    list_filter = ("status", "type")
    search_fields = ("event_id",)
