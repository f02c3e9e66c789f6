"""What every page visited in a browser test is checked for: axe-core finds no serious or critical violation,
nothing scrolls sideways at 390 px, no text is smaller than 14 px, and a screenshot is kept at 1366 and 390 px
(test-artifacts/screenshots/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import SCREENSHOTS, VIEWPORT

PHONE = {"width": 390, "height": 844}
BLOCKING = ("serious", "critical")
MIN_TEXT_PX = 14

SMALLEST_TEXT = """() => {
  let smallest = null;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || el.closest('[hidden], .visually-hidden, svg, script, style, noscript')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const size = parseFloat(style.fontSize);
    if (smallest === null || size < smallest.size)
      smallest = {size, text: node.textContent.trim().slice(0, 40), tag: el.tagName, cls: el.className};
  }
  return smallest;
}"""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in results.response["violations"] if v.get("impact") in BLOCKING]


def check_page(page: Any, name: str, *, phone: bool = True) -> None:
    """Check the page (axe, text size, no sideways scroll at 390 px) and keep its screenshots."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("domcontentloaded")
    violations = axe_violations(page)
    assert not violations, f"{name}: axe-core found serious or critical violations: {violations}"
    smallest = page.evaluate(SMALLEST_TEXT)
    assert smallest is None or smallest["size"] >= MIN_TEXT_PX, f"{name}: text below {MIN_TEXT_PX}px: {smallest}"
    page.screenshot(path=str(SCREENSHOTS / f"day-{name}-1366.png"))
    if phone:
        page.set_viewport_size(PHONE)
        try:
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name}: the page scrolls sideways at 390 px ({overflow}px too wide)"
            page.screenshot(path=str(SCREENSHOTS / f"day-{name}-390.png"))
        finally:
            page.set_viewport_size(VIEWPORT)


def screenshot_path(name: str) -> Path:
    return SCREENSHOTS / f"day-{name}-1366.png"
