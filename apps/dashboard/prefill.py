"""The Studio opened pre-filled ("Reuse prompt" and "Remix" in the gallery): which tab,
prompt, model and input file the query asks for (docs/studio.md).

`prompt` fills the prompt; `model` selects that model on the tab that offers it (an unknown
model is ignored); `source` (an asset id of *this* workspace) becomes the input file. A
missing asset and another workspace's look the same: ignored, with one notice that names
neither."""

import re
from typing import Any

from django.http import QueryDict

from apps.accounts.models import Workspace
from apps.catalog.checks.parse import MAX_PROMPT_CHARS
from apps.core.errors import NotFound
from apps.gallery import storage
from apps.gallery.models import Asset
from apps.gallery.selectors import asset_get

# A well-formed asset id: anything else is not looked up (a NUL byte would not even reach
# PostgreSQL as text).
ASSET_ID = re.compile(r"^ast_[A-Za-z0-9]{1,40}$")
# The tab a source asset opens when the query names neither a tab nor a model.
TAB_FOR_KIND = {"image": "image-to-video", "video": "extend-video", "audio": "lip-sync"}
SOURCE_NOT_FOUND = (
    "The file to remix is not in this workspace (it may have been deleted); choose a file instead."
)


def _source(asset: Asset) -> dict[str, Any]:
    """What the page shows and sends for the asset: its kind (= the input role it fills),
    a name, a signed preview URL and the properties the estimate uses."""
    urls = storage.asset_urls(asset)
    return {
        "id": asset.public_id,
        "kind": asset.kind,
        "name": asset.title or asset.original_name or asset.public_id,
        "url": urls["url"],
        "thumbnail": urls["thumbnail"],
        "format": asset.container or None,
        "duration_s": asset.duration,
        "width": asset.width,
        "height": asset.height,
        "size_bytes": asset.size_bytes,
    }


def _offered(data: dict[str, Any], tab: str, model: str) -> str | None:
    """Whether `tab` offers `model`: "" for a generate tab, the operation on Process (the
    first one that does), None when it does not."""

    def has(method: str) -> bool:
        return any(m["id"] == model for m in data["models"].get(method, []))

    if tab == "process":
        return next((o["operation"] for o in data["operations"] if has(o["method"])), None)
    return "" if has(tab) else None


def studio_prefill(
    *, workspace: Workspace, query: QueryDict, data: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """(the tab to open, the prefill for the page data) from the Studio's query string.
    `data` is the page's studio data (tabs, models per method, operations)."""
    keys = [t["key"] for t in data["tabs"]]
    asked_tab = query.get("tab", "")
    tab = asked_tab if asked_tab in keys else None
    prefill: dict[str, Any] = {
        "prompt": query.get("prompt", "")[:MAX_PROMPT_CHARS],
        "model": None,
        "operation": None,
        "source": None,
        "notice": None,
    }

    model = query.get("model", "").strip()
    if model:
        # The asked tab if it offers the model, else (no tab asked) the first one that does.
        for key in [tab] if tab else keys:
            operation = _offered(data, key, model)
            if operation is not None:
                tab = key
                prefill["model"] = model
                prefill["operation"] = operation or None
                break

    source_id = query.get("source", "").strip()
    if source_id:
        asset = None
        if ASSET_ID.match(source_id):
            try:
                asset = asset_get(workspace=workspace, public_id=source_id)
            except NotFound:
                asset = None
        if asset is not None and asset.kind in TAB_FOR_KIND:
            prefill["source"] = _source(asset)
            tab = tab or TAB_FOR_KIND[asset.kind]
        else:
            prefill["notice"] = SOURCE_NOT_FOUND

    return tab or keys[0], prefill
