"""Writing reports: figures as PNG and SVG, a Markdown report, and a self-contained HTML report.

The HTML embeds every figure (a base64 PNG, or inline SVG for the figures a section marks as vector, whose
event markers are then elements of the page) and needs no server, no network and no script. Every text
that comes from an input (scenario names and descriptions, event labels) is escaped, in the HTML and in the
Markdown alike (a Markdown viewer renders raw HTML); the HTML fragments the report writes itself (the key
findings, whose numbers say on hover where they come from) are cleaned by nh3 to an allow-list of tags.
"""
from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import nh3
import pandas as pd

from casim.plots import whole_years
from model.io import write_bytes_atomic

PNG_DPI = 110


@dataclass
class Section:
    """One report section: a title, some paragraphs, figures (name -> Figure) and tables (caption -> DataFrame)."""
    title: str
    text: list[str] = field(default_factory=list)
    figures: dict[str, plt.Figure] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    bullets: list[str] = field(default_factory=list)
    bullets_html: list[str] = field(default_factory=list)  # the bullets as HTML fragments (sanitised with nh3 in the page)
    vector: tuple[str, ...] = ()  # figures inlined as SVG in the HTML (their marked elements can be found there)
    charts: dict[str, str] = field(default_factory=dict)  # interactive figures: name -> HTML (`interactive.chart_html`)

    @property
    def anchor(self) -> str:
        return "".join(ch if ch.isalnum() else "-" for ch in self.title.lower()).strip("-")


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def markdown_text(text: str) -> str:
    """Text for Markdown: HTML escaped, on one line."""
    return html.escape(" ".join(str(text).split()), quote=False)


def _cell(value) -> str:
    return markdown_text(_format(value)).replace("|", "\\|")


def markdown_table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(_cell(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def html_table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_format(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def save_figures(sections: list[Section], figure_dir: Path) -> dict[str, dict[str, bytes]]:
    """Write each figure as PNG and SVG; returns {"png": ..., "svg": ...} bytes by figure name (for embedding)."""
    figure_dir.mkdir(parents=True, exist_ok=True)
    saved = {"png": {}, "svg": {}}
    for section in sections:
        for name, fig in section.figures.items():
            whole_years(fig)
            for kind, options in (("png", {"dpi": PNG_DPI}), ("svg", {"metadata": {"Date": None}})):
                buffer = io.BytesIO()
                with plt.rc_context({"svg.fonttype": "path"}):  # text drawn as paths: no text of ours in the SVG
                    fig.savefig(buffer, format=kind, **options)
                saved[kind][name] = buffer.getvalue()
                (figure_dir / f"{name}.{kind}").write_bytes(saved[kind][name])
            plt.close(fig)
    return saved


def inline_svg(svg: bytes, prefix: str) -> str:
    """An SVG file as an element of the page: no prolog, comments or metadata, every id (and reference to one)
    prefixed, so that several figures' ids do not clash."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg"):]
    text = re.sub(r"<!--.*?-->|<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', text)
    return re.sub(r'(url\(#|href="#)([^")]+)', lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text)


def render_markdown(title: str, intro: list[str], sections: list[Section]) -> str:
    lines = [f"# {markdown_text(title)}", "", *map(markdown_text, intro), "", "## Contents", ""]
    lines += [f"- [{s.title}](#{s.anchor})" for s in sections]
    for s in sections:
        lines += ["", f"## {s.title}", "", *map(markdown_text, s.text)]
        if s.bullets:
            lines += ["", *(f"- {markdown_text(b)}" for b in s.bullets)]
        for name in s.figures:
            lines += ["", f"![{name}](figures/{name}.png)"]
        for caption, table in s.tables.items():
            lines += ["", f"**{caption}**", "", markdown_table(table)]
    return "\n".join(lines) + "\n"


STYLE = """body{font-family:sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222}
img{max-width:100%;height:auto;display:block;margin:1em 0}
table{border-collapse:collapse;font-size:0.9em;margin:1em 0}
th,td{border:1px solid #bbb;padding:0.25em 0.6em;text-align:right}th{background:#eee}
nav{background:#f6f6f6;padding:0.5em 1em;display:inline-block}
figure{margin:1em 0}figure svg{max-width:100%;height:auto;display:block}
ul.findings li{margin:0.5em 0;line-height:1.4}span.claim{border-bottom:1px dotted #888;cursor:help}div.chart{margin:1em 0}"""


SAFE_TAGS = {"span", "em", "strong"}  # all a generated fragment may hold; numbers are `<span class="claim" title>`


def safe_html(fragment: str) -> str:
    """A generated HTML fragment as the page shows it: cleaned by nh3, which keeps only `SAFE_TAGS` with a class
    and a title and drops every other tag, attribute, script and link, whatever went into the fragment."""
    return nh3.clean(fragment, tags=SAFE_TAGS, attributes={tag: {"class", "title"} for tag in SAFE_TAGS}, url_schemes=set())


def render_html(title: str, intro: list[str], sections: list[Section], figures: dict[str, dict[str, bytes]],
                scripts: list[str] = ()) -> str:
    """The page; `scripts` (JavaScript sources, for the interactive figures) are inlined into its head."""
    inline = "".join(f"<script>{source}</script>" for source in scripts)
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{STYLE}</style>{inline}</head><body><h1>{html.escape(title)}</h1>"]
    parts += [f"<p>{html.escape(p)}</p>" for p in intro]
    parts.append("<nav><strong>Contents</strong><ol>"
                 + "".join(f"<li><a href='#{s.anchor}'>{html.escape(s.title)}</a></li>" for s in sections)
                 + "</ol></nav>")
    for s in sections:
        parts.append(f"<section id='{s.anchor}'><h2>{html.escape(s.title)}</h2>")
        parts += [f"<p>{html.escape(p)}</p>" for p in s.text]
        if s.bullets:
            items = map(safe_html, s.bullets_html) if s.bullets_html else map(html.escape, s.bullets)
            parts.append("<ul class='findings'>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
        for name in s.figures:
            if name in s.vector:
                parts.append(f"<figure id='figure-{html.escape(name)}' role='img' aria-label='{html.escape(name)}'>"
                             f"{inline_svg(figures['svg'][name], name)}</figure>")
            else:
                data = base64.b64encode(figures["png"][name]).decode("ascii")
                parts.append(f"<img alt='{html.escape(name)}' src='data:image/png;base64,{data}'>")
        parts += list(s.charts.values())
        for caption, table in s.tables.items():
            parts.append(f"<h3>{html.escape(caption)}</h3>{html_table(table)}")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(out_dir: Path, title: str, intro: list[str], sections: list[Section], scripts: list[str] = ()) -> None:
    """Write figures/, tables as CSV, report.md and report.html into `out_dir` (an existing temp dir); `scripts`
    are inlined into the HTML for its interactive figures."""
    figures = save_figures(sections, out_dir / "figures")
    for s in sections:
        for caption, table in s.tables.items():
            slug = "".join(ch if ch.isalnum() else "_" for ch in caption.lower()).strip("_")
            table.to_csv(out_dir / f"{slug}.csv", index=False)
    write_bytes_atomic(out_dir / "report.md", render_markdown(title, intro, sections).encode())
    write_bytes_atomic(out_dir / "report.html", render_html(title, intro, sections, figures, scripts).encode())
