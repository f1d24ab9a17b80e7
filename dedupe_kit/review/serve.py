"""Serving the review of an output folder in the browser: a Voila page or JupyterLab.

Both open ``DIR/review.ipynb``, a one-cell notebook that calls
``open_review(".")``, so the page, the notebook and the library show the same
app. The server listens on 127.0.0.1 with a random token unless told otherwise.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..files import write_text
from ..compare import check_comparable
from ..merge import check_policy
from ..run import load_run

NOTEBOOK = "review.ipynb"
_CELL = 'from dedupe_kit.review import open_review\n\nopen_review(".")'


def review_notebook(out_dir: str | Path) -> Path:
    """Write ``out_dir/review.ipynb`` (the page the server shows) and return its path, once the run's input and
    config read as the page reads them (Voila shows the page's errors as "There was an error", not what it is)."""
    out_dir = Path(out_dir)
    if not (out_dir / "run.json").exists():
        raise InputError(f"{out_dir}: no run.json; give the output folder of `dedupe-kit run FILE --out DIR`")
    contacts, config = load_run(out_dir, same_input=False)  # a config.toml edited since, an input gone: said
    check_policy(config.merge, contacts, config.source)  # now, as the run checks them, not in the page
    check_comparable(contacts, config)
    notebook = {
        "cells": [
            {"cell_type": "markdown", "id": "about", "metadata": {}, "source": "# Review the doubtful pairs\n\nEvery decision is saved "
             "at once in `review.sqlite` next to this notebook; `dedupe-kit run` reuses them."},
            {"cell_type": "code", "id": "review", "execution_count": None, "metadata": {}, "outputs": [],
             "source": _CELL},
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    return write_text(out_dir / NOTEBOOK, json.dumps(notebook, indent=1) + "\n")


def free_port(ip: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((ip, 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Server:
    """How to start the review server: ``command`` to run, ``url`` to open (token included)."""

    command: list[str]
    url: str
    port: int
    token: str


def review_server(out_dir: str | Path, *, lab: bool = False, ip: str = "127.0.0.1", port: int | None = None,
                  token: str | None = None) -> Server:
    """The command that serves the review of ``out_dir`` (Voila, or JupyterLab with
    ``lab``) on ``ip:port`` (a free port by default) behind ``token`` (random by
    default; ``""`` turns it off — only on a trusted network)."""
    notebook = review_notebook(out_dir).resolve()
    port = port or free_port(ip if ip not in ("0.0.0.0", "") else "127.0.0.1")
    token = secrets.token_urlsafe(24) if token is None else token
    host = "127.0.0.1" if ip in ("0.0.0.0", "") else ip
    query = f"?token={token}" if token else ""
    if lab:
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ip={ip}", f"--port={port}",
                   "--ServerApp.port_retries=0", f"--ServerApp.root_dir={notebook.parent}",
                   f"--IdentityProvider.token={token}", "--LabApp.news_url=None",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # JupyterLab refuses to start as root without it
        url = f"http://{host}:{port}/lab/tree/{NOTEBOOK}{query}"
    else:
        command = [sys.executable, "-m", "voila", "--no-browser", f"--Voila.ip={ip}", f"--port={port}",
                   "--Voila.port_retries=0", f"--Voila.token={token}", str(notebook)]
        url = f"http://{host}:{port}/{query}"
    return Server(command, url, port, token)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(out_dir: str | Path, *, lab: bool = False, ip: str = "127.0.0.1", port: int | None = None,
          token: str | None = None, browser: bool = True, echo=print) -> int:
    """Run the review server of ``out_dir`` until it stops (Ctrl-C); returns its exit code."""
    import subprocess
    import time
    import webbrowser

    server = review_server(out_dir, lab=lab, ip=ip, port=port, token=token)
    process = subprocess.Popen(server.command)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # stopped by its PID: stop the server too, as on Ctrl-C
    try:
        host = "127.0.0.1" if ip in ("0.0.0.0", "") else ip
        for _ in range(600):
            if process.poll() is not None:
                return process.returncode
            try:
                socket.create_connection((host, server.port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        echo(f"Review of {out_dir}: {server.url}\n(Ctrl-C stops the server; decisions are already saved.)")
        if browser:
            webbrowser.open(server.url)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
