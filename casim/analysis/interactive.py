"""Interactive figures for the HTML report (`casim compare --interactive`): Vega-Lite specifications built with
Altair, drawn by the Vega scripts of the installed offline asset cache, which the page inlines (never a CDN), so
the single HTML file works with no network.

The scripts are the `vega@5`, `vega-lite@5` and `vega-embed@6` packages that `python -m casim.viz.assets`
(`make setup`) unpacks for the visualiser. Altair writes its own Vega-Lite version into `$schema`; the
specifications here use only what Vega-Lite 5 has, and are embedded without `$schema` in vega-lite mode.
"""
from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import pandas as pd
from matplotlib.colors import to_hex

from casim.errors import UserError
from casim.plots import colour, label as actor_label

from .attribution import part_colours, part_name

SCRIPTS = ("vega@5/build/vega.min.js", "vega-lite@5/build/vega-lite.min.js", "vega-embed@6/build/vega-embed.min.js")
EMBED_OPTIONS = {"mode": "vega-lite", "renderer": "svg", "actions": False}


def scripts(cache: Path | None = None) -> list[str]:
    """The Vega scripts to inline, from the offline asset cache.

    Raises:
        UserError: the cache lacks them (the setup step that fills it has not run).
    """
    from casim.viz.assets import cache_dir

    cache = Path(cache) if cache else cache_dir()
    missing = [name for name in SCRIPTS if not (cache / name).is_file()]
    if missing:
        raise UserError(f"--interactive needs the Vega scripts of the offline asset cache ({cache}), which lacks "
                        f"{', '.join(missing)}: run `make setup` (or python -m casim.viz.assets) once")
    return [(cache / name).read_text(encoding="utf-8") for name in SCRIPTS]


def _spec(chart: alt.TopLevelMixin) -> dict:
    spec = chart.to_dict()
    spec.pop("$schema", None)
    return spec


def _hex(code: str) -> str:
    return to_hex(colour(code))


def fan_chart(bands: pd.DataFrame, events: dict[str, list[dict]], labels: list[str]) -> dict:
    """Each power's median influence and 90% band in one scenario, chosen from a list; the scenario's events
    as rules with their dates; values on hover.

    Args:
        bands: rows (label, power, time, q5, q50, q95), influence in points.
        events: each label's event records (`compare.stack_outputs`).
    """
    powers = list(pd.unique(bands["power"]))
    names = {p: actor_label(p) for p in powers}
    data = bands.assign(name=bands["power"].map(names)).round(3)
    marks = pd.DataFrame([{"label": label, "time": e["time"], "date": e["date"], "event": e["label"],
                           "marker": f"E{k}"} for label, items in events.items() for k, e in enumerate(items, 1)],
                         columns=["label", "time", "date", "event", "marker"])
    scenario = alt.param(name="scenario", value=labels[0], bind=alt.binding_select(options=labels, name="scenario "))
    colours = alt.Scale(domain=[names[p] for p in powers], range=[_hex(p) for p in powers])
    # fixed domains: a scenario without events leaves the rules' layer empty, and an empty layer's extent warns
    x = alt.X("time:Q", title="year", axis=alt.Axis(format="d"),
              scale=alt.Scale(domain=[float(data["time"].min()), float(data["time"].max())]))
    base = alt.Chart(alt.InlineData(values=data.to_dict("records"))).transform_filter(
        "datum.label === scenario").encode(x=x)
    band = base.mark_area(opacity=0.2).encode(y="q5:Q", y2="q95:Q", color=alt.Color("name:N", scale=colours,
                                                                                   title="power"))
    line = base.mark_line().encode(
        y=alt.Y("q50:Q", title="regional influence (points of 100)", scale=alt.Scale(zero=False)),
        color=alt.Color("name:N", scale=colours),
        tooltip=[alt.Tooltip("name:N", title="power"), alt.Tooltip("time:Q", title="time", format=".2f"),
                 alt.Tooltip("q50:Q", title="median"), alt.Tooltip("q5:Q", title="5%"), alt.Tooltip("q95:Q", title="95%")])
    rules = alt.Chart(alt.InlineData(values=marks.to_dict("records"))).transform_filter(
        "datum.label === scenario").mark_rule(strokeDash=[3, 3], color="#333").encode(
        x=x, tooltip=["marker:N", "date:N", "event:N"])
    chart = alt.layer(band, line, rules).add_params(scenario).properties(
        width=640, height=320, title="Regional influence: median and 90% band (choose a scenario; dashed: events)")
    return _spec(chart)


def attribution_chart(table: pd.DataFrame, labels: list[str]) -> dict:
    """The mean paired change of each power in one scenario (chosen from a list), stacked by channel; values on
    hover. `table` is `attribution.scenario_attribution`'s."""
    parts = table.groupby(["scenario", "power", "part"], sort=False)["change"].sum().reset_index()
    parts = parts.assign(change=(100 * parts["change"]).round(4), power=parts["power"].map(actor_label),
                         channel=parts["part"].map(part_name))
    scenario = alt.param(name="attribution_scenario", value=labels[0],
                         bind=alt.binding_select(options=labels, name="scenario "))
    names = list(pd.unique(parts["part"]))
    colours = alt.Scale(domain=[part_name(n) for n in names], range=[to_hex(c) for c in part_colours(names).values()])
    chart = alt.Chart(alt.InlineData(values=parts.to_dict("records"))).transform_filter(
        "datum.scenario === attribution_scenario").mark_bar().encode(
        x=alt.X("power:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("change:Q", title="mean paired change (points)"),
        color=alt.Color("channel:N", title="channel", sort=None, scale=colours),
        tooltip=["power:N", "channel:N", alt.Tooltip("change:Q", format=".3f")]).add_params(scenario).properties(
        width=420, height=300, title="Why the balance moved: mean paired change by channel (choose a scenario)")
    return _spec(chart)


def chart_html(name: str, spec: dict) -> str:
    """A chart's place in the page: its specification as JSON data (no markup can close the element early)
    and the call that draws it."""
    data = json.dumps(spec).replace("</", "<\\/")
    options = json.dumps(EMBED_OPTIONS)
    return (f"<div class='chart' id='chart-{name}'></div>"
            f"<script type='application/json' id='spec-{name}'>{data}</script>"
            f"<script>vegaEmbed('#chart-{name}', JSON.parse(document.getElementById('spec-{name}').textContent), "
            f"{options}).catch(function (e) {{ console.error(e); }});</script>")
