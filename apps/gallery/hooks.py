"""Hooks that apps above gallery register at start-up, for answers gallery needs from them
but may not import (see signals.py for what gallery tells them).

- the name screener: whether a workspace's name may be shown to anonymous visitors on an
  asset's public share page. Moderation registers it (ModerationConfig.ready); it screens
  the name like any public text (docs/moderation.md). The name is not part of
  `Asset.public_text` because the workspace can be renamed at any time without the asset
  changing: it is screened when it is shown instead, and the verdict is cached per name."""

import hashlib
from collections.abc import Callable

from django.core.cache import cache

NameScreener = Callable[[str], bool]

_screener: NameScreener | None = None
# Seconds a verdict on one name is reused; a renamed workspace is a new name, screened anew.
NAME_VERDICT_TTL_S = 600


def name_screener_register(screener: NameScreener | None) -> None:
    global _screener
    _screener = screener


def public_name_allowed(name: str) -> bool:
    """True when `name` passed screening (allow). Without a screener, or for a name held
    for review or blocked, it is not shown: an unscreened text is never public."""
    name = name.strip()
    if not name or _screener is None:
        return False
    key = "gallery:public-name:" + hashlib.sha256(name.encode()).hexdigest()
    verdict = cache.get(key)
    if verdict is None:
        verdict = bool(_screener(name))
        cache.set(key, verdict, NAME_VERDICT_TTL_S)
    return bool(verdict)
