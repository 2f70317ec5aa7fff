"""The browser visualiser (Mesa SolaraViz): model wrapper, views and the offline asset cache."""
