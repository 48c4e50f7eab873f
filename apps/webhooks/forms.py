from django import forms

from apps.webhooks.models import Event


class EndpointForm(forms.Form):
    """Adding or changing an endpoint. The URL is checked by the service (the same rules
    as the API, SSRF guard included), so its message is the one the API gives."""

    url = forms.CharField(
        label="URL",
        max_length=2048,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/webhooks/reelsmith"}),
    )
    description = forms.CharField(max_length=255, required=False)
    events = forms.MultipleChoiceField(
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
    )
