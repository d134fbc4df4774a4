"""A dashboard rendered in a real browser: Debian's Chromium driven by Playwright, headless.

Logs in as the admin, opens the dashboard (for one stage when given, through the stage filter's
URL state), waits until every chart has rendered or shows an error panel, and saves a
screenshot. The markers are Superset 6.1's own: a chart cell is
`[data-test="chart-grid-component"]`, rendered when it holds `[data-test="slice-container"]`
and no loading indicator; an error panel is `[role="alert"]` inside the cell.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STATE_JS = """() => [...document.querySelectorAll('[data-test="chart-grid-component"]')].map(c => ({
  name: c.getAttribute('data-test-chart-name'), viz: c.getAttribute('data-test-viz-type'),
  loading: !!c.querySelector('[data-test="loading-indicator"], .loading'),
  rendered: !!c.querySelector('[data-test="slice-container"]'),
  error: (c.querySelector('[role="alert"]') || {}).innerText || null,
  text: (c.querySelector('[data-test="slice-container"]') || {}).innerText?.slice(0, 200)
    || null}))"""


@dataclass
class Rendered:
    ok: bool
    seconds: float
    """From opening the dashboard's page to every chart rendered (login excluded)."""
    charts: list[dict[str, Any]] = field(default_factory=list)


def stage_query(stage: int | None) -> str:
    if stage is None:
        return "standalone=1"
    state = (
        f"(NATIVE_FILTER-stage:(extraFormData:(filters:!((col:stage,op:IN,val:!({stage})))),"
        f"filterState:(value:!({stage})),id:NATIVE_FILTER-stage,ownState:()))"
    )
    return f"standalone=1&native_filters={state}"


def render_dashboard(
    base_url: str,
    user: str,
    password: str,
    screenshot: Path,
    slug: str = "stage-explorer",
    stage: int | None = None,
    timeout_s: float = 180.0,
    chromium: str = CHROMIUM,
) -> Rendered:
    """One rendering in a fresh browser (nothing cached), with a screenshot."""
    return render_stages(
        base_url,
        user,
        password,
        [stage],
        screenshot.parent,
        screenshot.stem,
        slug,
        timeout_s,
        chromium,
    )[0]


def render_stages(
    base_url: str,
    user: str,
    password: str,
    stages: list[int | None],
    folder: Path,
    prefix: str = "stage-explorer",
    slug: str = "stage-explorer",
    timeout_s: float = 180.0,
    chromium: str = CHROMIUM,
) -> list[Rendered]:
    """The dashboard for each stage in turn, in one browser session (its cache warms up).

    Each screenshot is `folder/prefix.png` for a single stage, `folder/prefix-N.png` otherwise.
    """
    from playwright.sync_api import sync_playwright

    found = []
    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1600, "height": 1400}).new_page()
            page.goto(f"{base_url}/login/")
            page.locator('[data-test="username-input"]').fill(user)
            page.locator('[data-test="password-input"]').fill(password)
            with page.expect_navigation():
                page.locator('[data-test="login-button"]').click()
            for stage in stages:
                started = time.perf_counter()
                page.goto(f"{base_url}/superset/dashboard/{slug}/?{stage_query(stage)}")
                page.wait_for_selector(
                    '[data-test="chart-grid-component"]', timeout=timeout_s * 1000
                )
                deadline = time.monotonic() + timeout_s
                while True:
                    state = page.evaluate(STATE_JS)
                    settled = all(c["error"] or (c["rendered"] and not c["loading"]) for c in state)
                    if (state and settled) or time.monotonic() > deadline:
                        break
                    page.wait_for_timeout(50)
                seconds = time.perf_counter() - started
                page.wait_for_timeout(1000)  # let the charts' animations end before the picture
                name = prefix if len(stages) == 1 else f"{prefix}-{stage}"
                page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
                state = page.evaluate(STATE_JS)
                ok = bool(state) and all(
                    c["rendered"] and not c["loading"] and not c["error"] for c in state
                )
                found.append(Rendered(ok, seconds, state))
        finally:
            browser.close()
    return found
