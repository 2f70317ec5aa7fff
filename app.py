"""The browser visualiser: Mesa's SolaraViz page for the Central Asia model.

Run it with `casim viz` (or `solara run app.py`). Inputs (scenario, seed, ensemble size,
sliders) are read from the parameter registry and applied on Reset; the views redraw
after every step. See README "Browser visualiser".
"""
from mesa.visualization import SolaraViz

from casim.viz.components import VIEWS
from casim.viz.controls import model_params
from casim.viz.model import VizModel

TITLE = "Central Asia: the great powers' balance of influence"

model = VizModel()
page = SolaraViz(
    model,
    components=[(view, 0) for view in VIEWS],
    model_params=model_params(),
    name=TITLE,
)
page  # noqa: B018
