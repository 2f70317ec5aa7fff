"""`casim viz`: start the browser visualiser (app.py, Mesa SolaraViz) with the Solara server."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from casim.cli import UserError

APP = Path(__file__).resolve().parents[2] / "app.py"


def server_command(host: str, port: int) -> list[str]:
    """The `solara run` command line for the app (production mode: no auto-reload, no browser)."""
    solara = shutil.which("solara", path=str(Path(sys.executable).parent)) or shutil.which("solara")
    if solara is None:
        raise UserError("the 'solara' command is not installed: run 'make setup'")
    return [solara, "run", str(APP), "--host", host, "--port", str(port), "--no-open", "--production"]


def cmd_viz(args) -> int:
    from casim.viz.assets import cache_dir, missing_packages

    if not 1 <= args.port <= 65535:
        raise UserError(f"--port: expected 1-65535, got {args.port}")
    missing = missing_packages(cache_dir())
    if missing:
        print(f"casim: note: browser assets not cached yet ({', '.join(missing)}); run "
              "'python -m casim.viz.assets' once (make setup does) or the page needs internet access", file=sys.stderr)
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    print(f"casim viz: open http://{args.host}:{args.port}/ in a browser (Ctrl-C stops the server)", flush=True)
    return subprocess.call(server_command(args.host, args.port), env=env)


def add_parser(sub) -> None:
    viz = sub.add_parser("viz", help="start the browser visualiser (bound to 127.0.0.1 by default)")
    viz.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    viz.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    viz.set_defaults(func=cmd_viz)
