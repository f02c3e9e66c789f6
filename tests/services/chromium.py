"""Headless Chromium from Debian's package, for the browser tests (Playwright drives it; no download)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.services._process import ServiceError, apt_install, run

CHROMIUM = Path("/usr/bin/chromium")
JAPANESE_FONT = "fonts-ipafont-gothic"  # 12 MB; without a CJK font the pages render as boxes

CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


def ensure_chromium_installed() -> Path:
    """The Chromium executable, installing it (and a Japanese font) with apt when it is missing."""
    missing = [package for package, present in (("chromium", CHROMIUM.exists()),
                                                (JAPANESE_FONT, _has_japanese_font()))
               if not present]
    if CHROMIUM.exists() and missing:
        try:  # the browser works without the font; only the screenshots suffer
            apt_install(*missing)
        except ServiceError:
            pass
    elif missing:
        apt_install(*missing)
    if not CHROMIUM.exists():
        raise ServiceError(f"chromium was installed but {CHROMIUM} does not exist")
    run([CHROMIUM, "--version"], what="chromium --version", timeout=60)
    return CHROMIUM


def _has_japanese_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    try:
        return bool(run(["fc-list", ":lang=ja"], what="fc-list", timeout=30).strip())
    except ServiceError:
        return False
