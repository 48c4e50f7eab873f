"""Screenshots from the browser tests, kept under var/screenshots/ (CI keeps var/ as its
artifacts): one file per page and width, overwritten on each run."""

from pathlib import Path

from django.conf import settings

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
MOBILE = {"width": 390, "height": 844}


def shoot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = SCREENSHOTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def no_horizontal_overflow(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
