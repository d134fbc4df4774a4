"""A dashboard rendered in a real browser: Debian's Chromium driven by Playwright, headless.

Logs in as the admin, opens the dashboard (for one stage when given, through the stage filter's
URL state), waits until every chart has rendered or shows an error panel, and saves a
screenshot. The markers are Superset 6.1's own: a chart cell is
`[data-test="chart-grid-component"]`, rendered when it holds `[data-test="slice-container"]`
and no loading indicator; an error panel is `[role="alert"]` inside the cell.

The render time is read on the page's own clock (from the navigation's start): the moment every
chart is marked rendered and every WebGL canvas in a chart (deck.gl's) has drawn at its current
size, then two animation frames later, when the frame holding them has been painted. deck.gl
creates its WebGL device asynchronously and draws after its chart is marked rendered, so the
page's WebGL draw calls are watched: a script added before the page's own wraps them and marks
the canvas drawn with its size. The check only reads the DOM, every 100 ms: reading the charts'
text while they draw would force layouts and slow the page measured.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lakehouse.errors import PelotonError

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WEBGL_DRAWS_JS = """(() => {
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
    const context = getContext.call(this, type, ...rest);
    if (context && String(type).startsWith('webgl')) this.dataset.pelotonWebgl = '';
    return context;
  };
  for (const Context of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
    for (const name of ['drawArrays', 'drawElements', 'drawArraysInstanced',
                        'drawElementsInstanced']) {
      const draw = Context && Context.prototype[name];
      if (!draw) continue;
      Context.prototype[name] = function (...args) {
        const canvas = this.canvas;
        if (canvas.dataset) canvas.dataset.pelotonDrawn = canvas.width + 'x' + canvas.height;
        return draw.apply(this, args);
      };
    }
  }
})();"""
READY_JS = """() => {
  const cells = document.querySelectorAll('[data-test="chart-grid-component"]');
  const drawn = canvas => canvas.dataset.pelotonDrawn === canvas.width + 'x' + canvas.height;
  const done = cells.length > 0 && [...cells].every(c => c.querySelector('[role="alert"]') ||
    (c.querySelector('[data-test="slice-container"]') &&
     !c.querySelector('[data-test="loading-indicator"], .loading') &&
     [...c.querySelectorAll('canvas[data-peloton-webgl]')].every(drawn)));
  return done ? performance.now() : false; }"""
CELLS_JS = """() => document.querySelectorAll('[data-test="chart-grid-component"]').length"""
PAINTED_JS = """() => new Promise(done =>
  requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now()))))"""
STATE_JS = """() => [...document.querySelectorAll('[data-test="chart-grid-component"]')].map(c => ({
  name: c.getAttribute('data-test-chart-name'), viz: c.getAttribute('data-test-viz-type'),
  loading: !!c.querySelector('[data-test="loading-indicator"], .loading'),
  rendered: !!c.querySelector('[data-test="slice-container"]'),
  webgl: [...c.querySelectorAll('canvas[data-peloton-webgl]')].map(g =>
    ({size: g.width + 'x' + g.height, drawn: g.dataset.pelotonDrawn || null})),
  error: (c.querySelector('[role="alert"]') || {}).innerText || null,
  text: (c.querySelector('[data-test="slice-container"]') || {}).innerText?.slice(0, 200)
    || null,
  links: [...c.querySelectorAll('[data-test="slice-container"] a[href]')].map(a => a.href)}))"""


@dataclass
class Rendered:
    ok: bool
    seconds: float
    """From the navigation's start to the frame with every chart painted (login excluded)."""
    charts: list[dict[str, Any]] = field(default_factory=list)
    cached: list[bool] = field(default_factory=list)
    """Per chart data request of the page (chart data API and legacy `explore_json`): whether
    Superset answered from its data cache."""
    rejected: list[str] = field(default_factory=list)
    """Columns of filters that Superset could not apply to a chart's dataset. Such a query is
    also never answered from the data cache (Superset runs a query whose cached result applied
    none of its filters again), so a filter must leave out, by its scope, the charts without
    its column."""
    page_errors: list[str] = field(default_factory=list)
    """The page's uncaught errors, its console's errors and any navigation after the first, as
    they happened: what to read when a chart or the whole dashboard is missing."""
    renders: int = 1
    """How many times the page drew its charts: more than once when Superset mounted the
    dashboard again after it was ready (each render asks for every chart's data again)."""


class PageWatch:
    """What one dashboard page does while it loads: its chart data answers and its errors."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.cached: list[bool] = []
        self.rejected: list[str] = []
        self.errors: list[str] = []
        self.handlers: list[tuple[str, Any]] = [
            ("response", self.answered),
            ("pageerror", lambda error: self.note(f"uncaught: {error}")),
            ("console", self.logged),
        ]
        for event, handler in self.handlers:
            page.on(event, handler)

    def follow_navigations(self) -> None:
        """From now on, any navigation of the page (the first one has committed) is noted."""
        self.handlers.append(("framenavigated", self.navigated))
        self.page.on("framenavigated", self.navigated)

    def stop(self) -> None:
        for event, handler in self.handlers:
            self.page.remove_listener(event, handler)

    def answered(self, response: Any) -> None:
        if not response.ok:
            return
        if "/api/v1/chart/data" in response.url:
            results = response.json()["result"]
        elif "/superset/explore_json/" in response.url:  # legacy chart types
            results = [response.json()]
        else:
            return
        for result in results:
            self.cached.append(bool(result.get("is_cached")))
            self.rejected += [f["column"] for f in result.get("rejected_filters") or []]

    def logged(self, message: Any) -> None:
        if message.type == "error":
            self.note(f"console: {message.text}")

    def note(self, error: str) -> None:
        """Each message once, its first lines (a stack repeated per map tile says no more)."""
        error = error[:300]
        if error not in self.errors:
            self.errors.append(error)

    def navigated(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.errors.append(f"navigated: {frame.url}")


def log_in(page: Any, base_url: str, user: str, password: str, attempts: int = 3) -> None:
    """Log in through Superset's form, and check that it took.

    The form is drawn by React: typed into before the page has hydrated (a loaded machine), the
    fields are drawn again empty and the form sends no credentials. So the page is let settle
    first, and a login that leaves the browser on the login page is tried again.
    """
    for _ in range(attempts):
        page.goto(f"{base_url}/login/", wait_until="networkidle")
        page.locator('[data-test="username-input"]').fill(user)
        page.locator('[data-test="password-input"]').fill(password)
        with page.expect_navigation():
            page.locator('[data-test="login-button"]').click()
        if "/login" not in page.url:
            return
    raise PelotonError(f"Superset at {base_url} kept its login page after {attempts} tries")


def settle(page: Any, watch: PageWatch, timeout_s: float) -> tuple[float, int]:
    """Seconds from the navigation's start until every chart was painted, once the page settled.

    Once in a few dozen loads, Superset 6.1 empties the dashboard's grid after every chart was
    drawn (the header and filter bar stay). A page whose grid is empty a second after it was
    ready is waited for again, at most twice and 30 s each, and each wait is noted with the
    page's errors. Returns the last render's time and the number of renders.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    seconds, attempt = 0.0, 0
    for attempt in range(3):
        if attempt:
            watch.errors.append(f"the charts were gone a second after {seconds:.1f} s: waited")
        # on a timeout, the charts still loading are reported by the caller as not ok
        wait_s = timeout_s if not attempt else min(timeout_s, 30.0)
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(READY_JS, polling=100, timeout=wait_s * 1000)
        seconds = page.evaluate(PAINTED_JS) / 1000
        page.wait_for_timeout(1000)  # let the charts' animations end before the picture
        if page.evaluate(CELLS_JS):
            break
    return float(seconds), attempt + 1


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
        pause_s=0.0,
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
    pause_s: float = 1.0,
) -> list[Rendered]:
    """The dashboard for each stage in turn, in one browser session (its cache warms up).

    Before each page, the browser is left idle for `pause_s`, as an analyst reading the last
    one, so that no work of the previous page runs into the next measurement. Each screenshot is
    `folder/prefix.png` for a single stage, `folder/prefix-N.png` otherwise.
    """
    from playwright.sync_api import sync_playwright

    found = []
    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1400})
            context.add_init_script(WEBGL_DRAWS_JS)
            page = context.new_page()
            log_in(page, base_url, user, password)
            for stage in stages:
                page.wait_for_timeout(pause_s * 1000)
                watch = PageWatch(page)
                page.goto(
                    f"{base_url}/superset/dashboard/{slug}/?{stage_query(stage)}",
                    wait_until="commit",
                )
                watch.follow_navigations()
                seconds, renders = settle(page, watch, timeout_s)
                watch.stop()
                name = prefix if len(stages) == 1 else f"{prefix}-{stage}"
                page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
                state = page.evaluate(STATE_JS)
                ok = bool(state) and all(
                    c["rendered"]
                    and not c["loading"]
                    and not c["error"]
                    and all(g["drawn"] == g["size"] for g in c["webgl"])
                    for c in state
                )
                found.append(
                    Rendered(
                        ok, seconds, state, watch.cached, watch.rejected, watch.errors, renders
                    )
                )
        finally:
            browser.close()
    return found
