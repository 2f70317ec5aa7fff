"""The browser visualiser, driven in Debian's Chromium through Playwright (no CDN reachable).

One Solara server per session (fixture `app_url`) with a scenario folder holding the
project's scenario files plus a broken one. Each test opens its own page (a fresh
model), saves a screenshot under out/screenshots/ and fails on browser console errors.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = REPO / "out" / "screenshots"
BROKEN_SCENARIO = "zz_broken.yaml"
BROKEN_TEXT = "name: broken\ndescription: a misspelt parameter\nparams:\n  powers.RUS.securty_capacity: 0.5\n"  # line 4



def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def scenario_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("scenarios")
    for path in sorted((REPO / "scenarios").glob("*.y*ml")):
        shutil.copy(path, folder / path.name)
    (folder / BROKEN_SCENARIO).write_text(BROKEN_TEXT, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def app_url(scenario_folder):
    """Start `solara run app.py` on a free port, wait until it answers, stop it at the end."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from casim.viz.assets import cache_dir, missing_packages

    assert not missing_packages(cache_dir()), "run 'python -m casim.viz.assets' (make setup) first"
    port = _free_port()
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "CASIM_SCENARIO_DIR": str(scenario_folder),
           # any asset missing from the cache must fail, not be fetched: the app has to work offline
           "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/"}
    solara = Path(sys.executable).parent / "solara"
    log = open(REPO / "out" / "viz_server.log", "w") if (REPO / "out").is_dir() else subprocess.DEVNULL
    server = subprocess.Popen([str(solara), "run", str(REPO / "app.py"), "--host", "127.0.0.1", "--port", str(port),
                               "--no-open", "--production"], env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except OSError:
            if server.poll() is not None or time.time() > deadline:
                server.kill()
                pytest.fail(f"the Solara server did not start (exit code {server.poll()})")
            time.sleep(0.5)
    yield url
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app_url, request):
    """A fresh page on the app, with every request outside the app blocked; checks the console at the end."""
    context = browser.new_context(viewport={"width": 1500, "height": 1150})
    page = context.new_page()
    errors, outside = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def only_local(route):
        if route.request.url.startswith(app_url) or route.request.url.startswith("data:"):
            return route.continue_()
        outside.append(route.request.url)
        return route.abort()

    page.route("**/*", only_local)
    page.goto(app_url)
    page.get_by_text("What am I looking at?").wait_for(timeout=60_000)
    for name in ("map", "influence", "alignment"):
        page.locator(f".casim-{name}-image").first.wait_for(timeout=30_000)
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not errors, f"browser console errors: {errors}"
    assert not outside, f"the page tried to load from outside the app (CDN?): {outside}"


def indicator(page, label: str) -> str:
    """The value cell of the indicators table row whose first cell is `label`."""
    row = page.locator(".casim-indicators tr", has=page.locator("td", has_text=label)).first
    return row.locator("td").nth(1).inner_text()


def image_source(page, name: str) -> str:
    return page.locator(f".casim-{name}-image").first.get_attribute("src") or ""


def press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def pick_scenario(page, file_name: str) -> None:
    page.locator(".v-select", has_text="Scenario file").first.click()
    page.locator(".v-menu__content .v-list-item", has_text=file_name).first.click()


def test_page_renders_title_and_all_views(page):
    assert "balance of influence" in page.locator(".v-toolbar__title, .v-app-bar").first.inner_text()
    # wait_for(visible) rather than is_visible(): under CI load the widgets render a moment apart
    for text in ("What am I looking at?", "Leading power", "China–Russia influence gap", "China–Central Asia trade",
                 "Debt-to-GDP, Kazakhstan", "USD bn/yr", "Step: 0", "China's BRI budget [x base]",
                 "Sanctions on Russia [0..1]", "Ensemble size [runs]", "Hedging temperature [x]",
                 "EU Middle Corridor investment [USD bn per year]", "changes take effect on Reset"):
        page.get_by_text(text).first.wait_for(state="visible", timeout=30_000)
    for name in ("map", "influence", "alignment"):  # polled in the page: a re-render may replace the <img>
        page.wait_for_function(
            "(sel) => { const e = document.querySelector(sel); if (!e) return false;"
            " const r = e.getBoundingClientRect(); return r.width > 200 && r.height > 150; }",
            arg=f".casim-{name}-image", timeout=30_000)


def test_step_advances_counter_and_influence_plot(page):
    before = image_source(page, "influence")
    press(page, "Step")
    page.get_by_text("Step: 1").first.wait_for(timeout=30_000)
    page.locator(".casim-indicators", has_text="step 1:").wait_for(timeout=30_000)
    assert "2025 Q1" in indicator(page, "Period")
    page.wait_for_function("(old) => document.querySelector('.casim-influence-image').src !== old", arg=before,
                           timeout=30_000)
    assert image_source(page, "influence") != before


def test_slider_then_reset_changes_indicator(page):
    before = indicator(page, "China–Russia influence gap")
    track = page.locator(".v-input__slider", has_text="Hedging temperature").locator(".v-slider").first
    track.scroll_into_view_if_needed()
    box = track.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)  # about 10x the default
    assert indicator(page, "China–Russia influence gap") == before  # nothing applies before Reset
    press(page, "Reset")
    page.locator(".casim-guide", has_text="Hedging temperature =").wait_for(timeout=30_000)
    after = indicator(page, "China–Russia influence gap")
    assert after != before


def test_scenario_picker_switches_scenario(page, scenario_folder):
    files = sorted(p.name for p in scenario_folder.glob("*.y*ml") if p.name != BROKEN_SCENARIO)
    assert len(files) >= 2, "need at least two scenario files in scenarios/"
    current = page.locator(".casim-guide").inner_text()
    target = next(name for name in files if f"Scenario: {name}" not in current)
    pick_scenario(page, target)
    press(page, "Reset")
    page.locator(".casim-guide", has_text=f"Scenario: {target}").wait_for(timeout=30_000)
    press(page, "Step")
    page.locator(".casim-indicators", has_text="step 1:").wait_for(timeout=30_000)


def test_broken_scenario_shows_loader_error(page):
    pick_scenario(page, BROKEN_SCENARIO)
    press(page, "Reset")
    page.locator(".casim-error-message").first.wait_for(timeout=30_000)
    text = "\n".join(page.locator(".casim-error-message").all_inner_texts())
    assert f"{BROKEN_SCENARIO}:4:" in text and "securty_capacity" in text and "security_capacity" in text
    press(page, "Step")  # the app stays up and does not step a broken scenario
    assert page.get_by_text("Step: 0").first.is_visible()
