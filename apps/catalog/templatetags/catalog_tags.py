"""{% try_free_perk %}: the "try it without an account" form of the free perk, for the
public pages (models, login). It posts straight to the API; see static/js/try_free.js."""

from typing import Any

from django import template

from apps.catalog.selectors import free_perk_offer

register = template.Library()


@register.inclusion_tag("partials/try_free.html")
def try_free_perk() -> dict[str, Any]:
    return {"perk": free_perk_offer()}
