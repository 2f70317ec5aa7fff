"""HTML the page shows: scenario descriptions as sanitised Markdown, and the page's own tables, escaped.

Text from a scenario file is never put into the page as HTML: it goes through Markdown and
nh3, which keep simple formatting and http(s) links and drop every tag, attribute and link
scheme that could run code.
"""
from __future__ import annotations

from html import escape

import markdown
import nh3

ALLOWED_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "code", "br", "blockquote"}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def safe_markdown(text: str) -> str:
    """HTML for `text` read as Markdown, cleaned by nh3: only simple formatting and http(s)/mailto links.

    Raw HTML in the text (an `<img onerror=...>`, a `<script>`) is removed, and so is any link
    whose scheme is not in ALLOWED_URL_SCHEMES (`javascript:`, `data:`).
    """
    html = markdown.markdown(str(text))
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}, url_schemes=ALLOWED_URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow")


def table_html(head: list[str], rows: list[list], css: str, step: int | None = None) -> str:
    """A plain table as HTML, every text escaped; a cell is text, or (text, colour) for a swatch before the text.

    One HTML string per table (not one widget per cell) keeps a step's page update small. Only the
    page's own numbers and names go in here; text from scenario files never does (see safe_markdown).
    `step`, if given, is written as the table's `data-step`, so a reader can tell which step it shows.
    """
    def cell(value, tag: str) -> str:
        if isinstance(value, tuple):
            text, colour = value
            swatch = f'<span class="casim-swatch" style="background: {escape(colour)}"></span>'
            return f"<{tag}>{swatch}{escape(text)}</{tag}>"
        return f"<{tag}>{escape(str(value))}</{tag}>"

    header = "<tr>" + "".join(cell(h, "th") for h in head) + "</tr>"
    body = "".join("<tr>" + "".join(cell(v, "td") for v in row) + "</tr>" for row in rows)
    marker = f' data-step="{int(step)}"' if step is not None else ""
    return f'<table class="casim-table {escape(css)}"{marker}><thead>{header}</thead><tbody>{body}</tbody></table>'
