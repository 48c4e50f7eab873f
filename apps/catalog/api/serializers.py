"""OpenAPI shapes of the catalogue endpoints. Views answer with the selectors' JSON-able
dicts; these serializers document them (and name every component uniquely)."""

from typing import Any

from rest_framework import serializers

from apps.catalog.registry.types import Method, Quality


class CatalogPricingRateSerializer(serializers.Serializer[Any]):
    resolution = serializers.CharField(allow_null=True, help_text="null: every resolution.")
    usd = serializers.FloatField(required=False, help_text="Provider price in USD.")
    credits = serializers.FloatField(
        required=False, help_text="Credits per `per_seconds` (or per run), margin included."
    )
    min_credits = serializers.FloatField(required=False, help_text="span: at the shortest.")
    max_credits = serializers.FloatField(required=False, help_text="span: at the longest.")


class CatalogPricingSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="per_second | per_run | span")
    unit = serializers.CharField(help_text="usd | credits: the unit of the source figure.")
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="spec (stated) | derived (read from a range) | reelsmith (our own price)"
    )
    per_seconds = serializers.IntegerField()
    billed_in_blocks = serializers.BooleanField()
    rates = CatalogPricingRateSerializer(many=True)
    audio_multiplier = serializers.FloatField()
    free_perks = serializers.ListField(child=serializers.DictField())
    override = serializers.DictField(allow_null=True)
    summary = serializers.CharField(help_text="Human-readable, e.g. '3 credits/s'.")
    from_credits = serializers.IntegerField(help_text="Cheapest list price (credits).")


class CatalogInputsSerializer(serializers.Serializer[Any]):
    required = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]
    optional = serializers.ListField(child=serializers.CharField())


class CatalogProcessingSerializer(serializers.Serializer[Any]):
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    per_output_second = serializers.BooleanField()


class CatalogControlRangeSerializer(serializers.Serializer[Any]):
    min = serializers.FloatField()
    max = serializers.FloatField()


class CatalogControlWaySerializer(serializers.Serializer[Any]):
    via = serializers.ChoiceField(choices=["native", "prompt"])
    field = serializers.CharField(
        help_text='The provider field set, or "prompt" when text goes into the prompt '
        "(Hailuo's [Pan left], Midjourney's --motion, or prompt guidance)."
    )
    values = serializers.ListField(
        child=serializers.JSONField(), allow_null=True, help_text="Accepted values; null: a range."
    )
    range = CatalogControlRangeSerializer(allow_null=True)
    sends = serializers.DictField(
        allow_null=True,
        help_text="value -> what the provider gets (field value or prompt text); null: as is.",
    )
    doc = serializers.CharField(help_text="Where the provider documents it.")


class CatalogControlSerializer(serializers.Serializer[Any]):
    via = serializers.ChoiceField(
        choices=["native", "prompt", "native+prompt"],
        help_text="native: the provider's own field or prompt syntax; prompt: prompt guidance "
        "(a documented phrase appended to the prompt); native+prompt: some values each way.",
    )
    field = serializers.CharField(allow_null=True, help_text="The native field, if any.")
    values = serializers.ListField(child=serializers.JSONField(), allow_null=True)
    range = CatalogControlRangeSerializer(allow_null=True)
    hint = serializers.CharField(help_text="How it reaches the model, in words (the UI hint).")
    ways = CatalogControlWaySerializer(many=True)


class CatalogControlsSerializer(serializers.Serializer[Any]):
    camera_motion = CatalogControlSerializer(allow_null=True, help_text="null: not taken.")
    motion_strength = CatalogControlSerializer(allow_null=True, help_text="null: not taken.")
    fps = CatalogControlSerializer(allow_null=True, help_text="null: not taken.")


class CatalogAudioSerializer(serializers.Serializer[Any]):
    generated = serializers.BooleanField(help_text="The model can make sound.")
    optional = serializers.BooleanField(help_text="with_audio / generate_audio chooses it.")
    default = serializers.BooleanField(help_text="Sound when the job does not say.")
    price_multiplier = serializers.FloatField(help_text="Price factor when sound is made.")


class CatalogModelSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    name = serializers.CharField()
    provider = serializers.CharField()
    provider_name = serializers.CharField()
    provider_model = serializers.CharField()
    vendor = serializers.CharField()
    methods = serializers.ListField(
        child=serializers.CharField(), help_text="text-to-video, image-to-video, ..."
    )
    quality = serializers.ChoiceField(choices=Quality.choices)
    available = serializers.BooleanField()
    unavailable_reason = serializers.CharField(allow_null=True)
    reason = serializers.ChoiceField(
        choices=["disabled", "not_configured", "not_installed", "degraded"],
        allow_null=True,
        help_text="Why it is unavailable: degraded = its provider is failing right now "
        "(tried again after a cool-down); not_installed = a package the local engine "
        "needs for it is missing on this server; null when available.",
    )
    featured = serializers.BooleanField()
    durations = serializers.DictField(
        allow_null=True, help_text='{"min", "max"} or {"choices": [...]}; null: as the input.'
    )
    default_duration = serializers.IntegerField(allow_null=True)
    duration_from = serializers.CharField(allow_null=True)
    resolutions = serializers.ListField(child=serializers.CharField())
    default_resolution = serializers.CharField(allow_null=True)
    aspect_ratios = serializers.ListField(child=serializers.CharField())
    default_aspect_ratio = serializers.CharField(allow_null=True)
    fps = serializers.DictField(allow_null=True)
    default_fps = serializers.IntegerField(allow_null=True)
    prompt = serializers.CharField(help_text="required | optional | none")
    inputs = CatalogInputsSerializer()
    options = serializers.ListField(child=serializers.CharField())
    controls = CatalogControlsSerializer(
        help_text="How the model takes camera_motion, motion_strength and fps."
    )
    native_audio = serializers.BooleanField()
    default_with_audio = serializers.BooleanField()
    audio = CatalogAudioSerializer()
    limits = serializers.DictField()
    pricing = CatalogPricingSerializer()
    free_perk = serializers.BooleanField(
        help_text="Free for everyone at pricing.free_perks, also without an account."
    )
    processing_time_s = CatalogProcessingSerializer()
    strengths = serializers.CharField()
    use_cases = serializers.CharField()
    limitations = serializers.CharField()
    image_to_video_sibling = serializers.CharField(allow_null=True)
    aliases = serializers.ListField(child=serializers.CharField())
    storyboard = serializers.BooleanField()
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="The product spec file(s) the figures come from."
    )


class CatalogModelListSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="Models matching the filters, on all pages.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CatalogModelSerializer(many=True)


class StoryboardSceneSerializer(serializers.Serializer[Any]):
    prompt = serializers.CharField()
    duration = serializers.IntegerField(min_value=1)


class EstimateCostRequestSerializer(serializers.Serializer[Any]):
    """The same fields as a job. Preflight validates them (all problems at once)."""

    method = serializers.ChoiceField(choices=Method.choices, required=False)
    model = serializers.CharField(
        required=False, allow_blank=True, help_text="Empty: picked for you."
    )
    quality = serializers.ChoiceField(choices=Quality.choices, required=False)
    prompt = serializers.CharField(required=False, allow_blank=True)
    duration = serializers.IntegerField(required=False, help_text="Seconds.")
    resolution = serializers.CharField(required=False, allow_blank=True)
    aspect_ratio = serializers.CharField(required=False, allow_blank=True)
    fps = serializers.IntegerField(required=False)
    with_audio = serializers.BooleanField(required=False)
    generate_audio = serializers.BooleanField(
        required=False, help_text="Same as with_audio (the provider's name for it)."
    )
    storyboard = StoryboardSceneSerializer(many=True, required=False)
    negative_prompt = serializers.CharField(required=False, allow_blank=True)
    cfg_scale = serializers.FloatField(required=False)
    seed = serializers.IntegerField(required=False)
    camera_fixed = serializers.BooleanField(required=False)
    camera_motion = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="static, pan, pan_left, pan_right, tilt, tilt_up, tilt_down, zoom, zoom_in, "
        "zoom_out, as the model's `controls` allow.",
    )
    motion_strength = serializers.FloatField(required=False)
    enable_prompt_expansion = serializers.BooleanField(required=False)
    mode = serializers.CharField(required=False, allow_blank=True)
    image = serializers.CharField(
        required=False, allow_blank=True, help_text="Any reference: marks it present."
    )
    end_image = serializers.CharField(required=False, allow_blank=True)
    audio = serializers.CharField(required=False, allow_blank=True)
    video = serializers.CharField(required=False, allow_blank=True)
    audio_duration = serializers.FloatField(required=False, help_text="Seconds.")
    video_duration = serializers.FloatField(required=False, help_text="Seconds.")


class EstimateCostResponseSerializer(serializers.Serializer[Any]):
    model = serializers.CharField()
    method = serializers.CharField()
    estimated_credits = serializers.IntegerField(help_text="Credits, tier discount applied.")
    estimated_cost_usd = serializers.FloatField(help_text="The credits in US dollars.")
    processing_time_estimate_s = serializers.IntegerField()
    confidence = serializers.CharField(help_text="high | medium | low")
    breakdown = serializers.DictField()
    available = serializers.BooleanField(help_text="false: priced, but submitting fails.")
    auto_selected = serializers.BooleanField()
    switched_from = serializers.CharField(
        allow_null=True, help_text="The text-to-video model an image switched away from."
    )
    parameters = serializers.DictField(help_text="The job's fields after defaults.")
    notes = serializers.ListField(child=serializers.CharField())
