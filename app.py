"""The browser visualiser: one model per browser tab, in the Mesa-example shape (model, views, app).

Run it with `casim viz` (or `solara run app.py`). The page (`casim.viz.components.Page`) gives
each tab its own `VizModel` (the student's ensemble, stepped with the unmodified scenario),
sliders read from the parameter registry, and plots of influence, alignment and a schematic
map. See README "Browser visualiser".
"""
import logging
import sys

from solara.server import settings

from casim.viz.components import TAB_TITLE, Layout, Page  # noqa: F401  (solara looks for Page and Layout)

settings.theme.show_banner = False  # Solara's "runs on Solara" badge would sit over the plots
settings.theme.title = TAB_TITLE    # the tab's title before the page has loaded
# A tab that disconnects without closing (a network drop, a sleeping laptop) keeps its model this long
# for a reconnect, then Solara closes its kernel; a closed tab's kernel closes at once.
settings.kernel.cull_timeout = "5m"

log = logging.getLogger("casim.viz")
if not log.handlers:  # sessions opening and closing, play loops starting and stopping: one line each
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("casim viz: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
