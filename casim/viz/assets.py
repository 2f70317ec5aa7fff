"""Fill Solara's asset proxy cache from the npm registry, so the visualiser works with no CDN.

Solara serves browser assets from `/_solara/cdn/<name>@<version>/<file>` and looks for
them in `solara.server.settings.assets.proxy_cache_dir` before asking the public CDN
(see `solara/server/cdn_helper.py`: the cache path is the URL path below `_solara/cdn/`).
We download each package once with `npm pack` and unpack its `package/` folder under
`<cache>/<name>@<version>/`. The directory name is the exact text Solara puts in the
URL (a range such as `vega@5` included). Already-present packages are skipped.

Run: `python -m casim.viz.assets` (the Makefile's setup step does this).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# The exact specs Solara's templates and widgets request (solara 1.64, ipyvuetify 1.x).
PACKAGES = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "vega@5",
    "vega-lite@5",
    "vega-embed@6",
    "mermaid@10.8.0",  # solara.Markdown loads mermaid and katex
    "katex@0.16.9",
)
DONE_MARKER = ".casim-complete"


def cache_dir() -> Path:
    """Solara's asset proxy cache directory (inside the active environment by default)."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def missing_packages(cache: Path) -> list[str]:
    """Packages from PACKAGES not yet fully unpacked in `cache`."""
    return [spec for spec in PACKAGES if not (cache / spec / DONE_MARKER).exists()]


def fetch_package(spec: str, cache: Path) -> None:
    """Download `spec` with `npm pack` and unpack it atomically to `cache/spec/`.

    Raises:
        RuntimeError: npm is missing or the registry refused the package.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed: it is needed once to fill Solara's offline asset cache")
    target = cache / spec
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fetch-") as tmp:
        done = subprocess.run([npm, "pack", spec, "--json", "--pack-destination", tmp],
                              capture_output=True, text=True, cwd=tmp)
        if done.returncode != 0:
            raise RuntimeError(f"npm pack {spec} failed: {done.stderr.strip()[-500:]}")
        tarball = Path(tmp) / Path(json.loads(done.stdout)[0]["filename"]).name
        unpacked = Path(tmp) / "unpacked"
        with tarfile.open(tarball) as tar:
            tar.extractall(unpacked, filter="data")
        package = unpacked / "package"
        (package / DONE_MARKER).write_text(spec + "\n", encoding="utf-8")
        if target.exists():  # an interrupted earlier attempt without the marker
            shutil.rmtree(target)
        package.rename(target)


def fill_cache(cache: Path | None = None, quiet: bool = False) -> list[str]:
    """Fetch every missing package into Solara's cache; returns the specs fetched (idempotent)."""
    cache = Path(cache) if cache else cache_dir()
    fetched = []
    for spec in missing_packages(cache):
        if not quiet:
            print(f"fetching {spec} into {cache}", flush=True)
        fetch_package(spec, cache)
        fetched.append(spec)
    return fetched


def main() -> int:
    try:
        fetched = fill_cache()
    except RuntimeError as exc:
        print(f"casim: error: {exc}", file=sys.stderr)
        return 2
    print(f"solara asset cache ready at {cache_dir()} ({len(fetched)} fetched, {len(PACKAGES) - len(fetched)} present)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
