"""The review app in a real browser: JupyterLab running notebook 02, and the Voila page
of `dedupe-kit review`, driven by Debian's Chromium through Playwright.

Chromium missing: skipped locally, a failure when ``CI=true`` (scripts/test.sh
installs it).
"""

from __future__ import annotations

import json
import re
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dedupe_kit import run
from dedupe_kit.review import open_state
from dedupe_kit.review.serve import free_port, review_server

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require_chromium(path: str = CHROMIUM) -> None:
    """Skip when Chromium is missing — but fail on CI, where scripts/test.sh installs it."""
    if not Path(path).exists():
        message = f"{path} not found: apt-get install chromium (scripts/test.sh does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def test_missing_chromium_skips_locally_and_fails_on_ci(monkeypatch, tmp_path):
    missing = str(tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no-chromium not found: apt-get install chromium"):
        require_chromium(missing)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no-chromium not found"):
        require_chromium(missing)


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    # nothing leaves the machine (Voila asks a CDN for an icon font)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
                  else route.abort())
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def _isolated_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
                 "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        (tmp / name).mkdir(parents=True, exist_ok=True)
        env[name] = str(tmp / name)
    # every cell in the DOM, so that the widget can be found wherever it is on the page
    tracker = tmp / "JUPYTERLAB_SETTINGS_DIR" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


class Server:
    """A server started with ``command``, stopped by PID (and its kernels by theirs)."""

    def __init__(self, command: list[str], port: int, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.port, self.log = port, log
        self.process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log.open("w"), stderr=subprocess.STDOUT)

    def wait_ready(self, url: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"server not ready after {timeout} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        kernels = _children(self.process.pid)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in kernels:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", self.port)) != 0, f"port {self.port} still open"


def _decisions(store: Path) -> list[tuple[int, int, str]]:
    with sqlite3.connect(store) as conn:
        return conn.execute("SELECT a, b, decision FROM events WHERE kind = 'decide' ORDER BY id").fetchall()


def _rows_in(heading: str) -> list[int]:
    """The rows named in a heading ("Pair of rows 1 and 2 — …", "Group of 3 records (rows 1, 2, 5) — …")."""
    text = heading.split("rows ")[1].split(" —")[0]
    return [int(x) for x in text.replace(")", "").replace(" and", ",").split(",")]


def _click_match_and_check(page, store: Path, name: str) -> None:
    """Click Match in the rendered widget: the next item shows and the decision is in the store."""
    heading = page.locator(".dk-item").first
    shown = heading.inner_text()
    assert "Pair of rows" in shown or "Group of" in shown
    before = _decisions(store) if store.exists() else []
    page.locator(".dk-match button, button.dk-match").first.click()
    from playwright.sync_api import expect

    expect(heading).not_to_have_text(shown)  # the app sets the heading last
    survivor = page.locator(".dk-survivor").first.inner_text()
    assert f"row {_rows_in(shown)[0]} " not in survivor or f"row {_rows_in(shown)[1]} " not in survivor
    after = _decisions(store)
    assert len(after) > len(before) and after[-1][2] == "match"
    assert {after[-1][0], after[-1][1]} <= set(_rows_in(shown))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _queue_size(page, reviewed: int) -> int:
    """The size of the queue the app shows, once it says ``reviewed`` items are decided."""
    from playwright.sync_api import expect

    progress = page.locator(".dk-progress").first
    expect(progress).to_contain_text(re.compile(rf"\b{reviewed} of \d+ reviewed"), timeout=40_000)
    return int(re.search(rf"\b{reviewed} of (\d+) reviewed", progress.inner_text()).group(1))


def test_notebook_02_in_jupyterlab(page, tmp_path):
    (tmp_path / "notebooks").mkdir()
    notebook = json.loads((ROOT / "notebooks" / "02_review.ipynb").read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    (tmp_path / "notebooks" / "02_review.ipynb").write_text(json.dumps(notebook))
    shutil.copytree(ROOT / "sample_data", tmp_path / "sample_data")
    port, token = free_port(), secrets.token_urlsafe(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--ServerApp.root_dir={tmp_path}", f"--IdentityProvider.token={token}",
               "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--allow-root"]
    server = Server(command, port, _isolated_env(tmp_path / "jupyter"), tmp_path, tmp_path / "lab.log")
    try:
        base = f"http://127.0.0.1:{port}"
        server.wait_ready(f"{base}/api/status?token={token}")
        page.goto(f"{base}/lab/tree/notebooks/02_review.ipynb?token={token}")
        page.wait_for_function("""() => {
            const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
            return k && k.connectionStatus === 'connected' && k.status === 'idle';
        }""", timeout=30_000)
        page.evaluate("() => { void window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        from playwright.sync_api import expect

        # the last cell has run: every earlier cell did too
        expect(page.get_by_text("'reviewer', 'decided_at']")).to_be_visible(timeout=40_000)
        total = _queue_size(page, 4)
        _click_match_and_check(page, tmp_path / "out" / "02_review" / "review.sqlite", "review-jupyterlab")
        expect(page.locator(".dk-progress").first).to_contain_text(f"5 of {total} reviewed")
    finally:
        server.stop()


def test_voila_page_of_dedupe_kit_review(page, tmp_path):
    out = tmp_path / "out"
    run(ROOT / "sample_data" / "contacts.csv", progress=False).write(out)
    server_spec = review_server(out)
    server = Server(server_spec.command, server_spec.port, _isolated_env(tmp_path / "jupyter"), out,
                    tmp_path / "voila.log")
    try:
        deadline = time.monotonic() + 20
        while socket.socket().connect_ex(("127.0.0.1", server_spec.port)) != 0:
            assert server.process.poll() is None, (tmp_path / "voila.log").read_text()
            assert time.monotonic() < deadline, "Voila did not open its port"
            time.sleep(0.2)
        page.goto(server_spec.url)
        from playwright.sync_api import expect

        total = _queue_size(page, 0)
        assert total == open_state(out).progress()[1]
        _click_match_and_check(page, out / "review.sqlite", "review-voila")
        expect(page.locator(".dk-progress").first).to_contain_text(f"1 of {total} reviewed")
    finally:
        server.stop()
