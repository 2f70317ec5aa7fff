"""`casim viz`: start the browser visualiser (app.py) with the Solara server, and own it.

The server runs as a child process in its own process group. Stopping `casim viz` (Ctrl-C,
SIGTERM, SIGHUP) stops that group, waiting a little for a clean shutdown before killing it;
on Linux the child is also told to stop if `casim viz` dies without a chance to clean up.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from casim.errors import UserError
from casim.viz.controls import UNCERTAINTY_ENV
from model.uncertainty import DEFAULT_MODE, MODES

APP = Path(__file__).resolve().parents[2] / "app.py"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
GRACE_S = 10.0  # time the server gets to shut down before it is killed


def server_command(host: str, port: int) -> list[str]:
    """The `solara run` command line for the app (production mode: no auto-reload, no browser)."""
    solara = shutil.which("solara", path=str(Path(sys.executable).parent)) or shutil.which("solara")
    if solara is None:
        raise UserError("the 'solara' command is not installed: run 'make setup'")
    return [solara, "run", str(APP), "--host", host, "--port", str(port), "--no-open", "--production"]


def _die_with_parent() -> None:
    """In the child, before exec: on Linux, get SIGTERM when the parent dies (even by SIGKILL)."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:  # already gone
        pass


def serve(command: list[str], env: dict) -> int:
    """Run `command` as a child in its own process group until it exits or we are asked to stop.

    Returns the child's exit code, or 0 when a stop signal ended it.
    """
    child = subprocess.Popen(command, env=env, start_new_session=True, preexec_fn=_die_with_parent)
    asked: list[float] = []

    def stop(signum, frame):  # only signal here: waiting in a handler could deadlock with the main wait
        if not asked:
            asked.append(time.monotonic())
        _signal_group(child, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    try:
        while True:
            try:
                code = child.wait(timeout=0.5 if asked else None)
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() - asked[0] > GRACE_S:
                    _signal_group(child, signal.SIGKILL)
    finally:
        if child.poll() is None:  # an exception in this process: never leave the server behind
            _signal_group(child, signal.SIGKILL)
            child.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if asked:
        print("casim viz: server stopped", file=sys.stderr)
        return 0
    return code


def cmd_viz(args) -> int:
    from casim.viz.assets import cache_dir, missing_packages

    if not 1 <= args.port <= 65535:
        raise UserError(f"--port: expected 1-65535, got {args.port}")
    missing = missing_packages(cache_dir())
    if missing:
        print(f"casim: note: browser assets not cached yet ({', '.join(missing)}); run "
              "'python -m casim.viz.assets' once (make setup does) or the page needs internet access", file=sys.stderr)
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", UNCERTAINTY_ENV: args.uncertainty}
    command = server_command(args.host, args.port)
    print(f"casim viz: open http://{args.host}:{args.port}/ in a browser (Ctrl-C stops the server)", flush=True)
    return serve(command, env)


def add_parser(sub) -> None:
    viz = sub.add_parser("viz", help="start the browser visualiser (bound to 127.0.0.1 by default)")
    viz.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    viz.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    viz.add_argument("--uncertainty", choices=MODES, default=DEFAULT_MODE,
                     help="what each run draws when a page opens (the page can change it): posterior (default), "
                          "prior or point")
    viz.set_defaults(func=cmd_viz)
