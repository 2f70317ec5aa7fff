"""The browser visualiser: per-tab session and page (Solara), paired model, figures, exports, asset cache."""
