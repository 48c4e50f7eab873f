"""Output formats chosen at submit that the catalog does not price: HLS (issue 17).

`output_format: "hls"` (a `/generate` field, or `settings.format` of a `/process`
transform) asks for an adaptive HLS set besides the MP4 result. The catalog never sees
it: a transform runs as an MP4 transform, any other method as it is, and delivery
packages the MP4 (apps.jobs.delivery). Only tiers in HLS_TIERS may ask; others get 400
INVALID_FORMAT naming those tiers."""

from typing import Any

from django.conf import settings

from apps.accounts.models import Workspace
from apps.core.errors import ErrorCode, ValidationError

HLS = "hls"


def hls_tiers() -> list[str]:
    return [str(t).strip() for t in settings.HLS_TIERS if str(t).strip()]


def output_format_split(
    *, fields: dict[str, Any], workspace: Workspace
) -> tuple[dict[str, Any], bool]:
    """(the fields for the catalog, whether HLS was asked for)."""
    value = fields.get("output_format")
    if not isinstance(value, str) or value.strip().lower() != HLS:
        return fields, False
    tiers = hls_tiers()
    tier = workspace.tier.name if workspace.tier_id else ""
    if tier not in tiers:
        names = ", ".join(tiers) or "none"
        raise ValidationError(
            f"HLS output is available on these tiers only: {names}. "
            f"This workspace is on the {tier or 'default'} tier.",
            code=ErrorCode.INVALID_FORMAT,
            details={"field": "output_format", "format": HLS, "tiers": tiers, "tier": tier},
        )
    fields = dict(fields)
    if fields.get("method") == "transform":
        fields["output_format"] = "mp4"
    else:
        del fields["output_format"]
    return fields, True


def wants_hls(params: dict[str, Any] | None) -> bool:
    return bool(params) and (params or {}).get("output_format") == HLS
