"""Every figure the app draws (Plotly, SVG and PNG), built from the core's results; pages only render them."""
