"""`versterking app`: the web app for planners and policy advisers, on Dash (Flask and Plotly). Dash
because its background callbacks give a long run a progress bar and a cancel button that stops the
run's processes, its charts show values on hover, and a page is plain HTML that a real browser test
can drive (docs/how-to/app.md says more). Every page calls the package's API; none keeps a table or a
rule of its own."""

from __future__ import annotations

import threading
import webbrowser
from pathlib import Path

import dash
import diskcache
from dash import DiskcacheManager, dcc, html

from ..version import __version__
from .pages import address, compare, run, scenario, target, whatif
from .workspace import Workspace

TABS = [("scenario", "Scenario"), ("run", "Doorrekenen"), ("compare", "Vergelijken"), ("whatif", "Wat als"),
        ("target", "Terug redeneren"), ("address", "Mijn adres")]


def make_app(ws: Workspace) -> dash.Dash:
    ws.folder.mkdir(parents=True, exist_ok=True)
    manager = DiskcacheManager(diskcache.Cache(str(ws.folder / ".taken")))
    app = dash.Dash(__name__, title="versterking", background_callback_manager=manager,
                    suppress_callback_exceptions=True)
    pages = {"scenario": scenario.layout(ws), "run": run.layout(ws), "compare": compare.layout(ws),
             "whatif": whatif.layout(), "target": target.layout(), "address": address.layout()}
    app.layout = html.Div([
        html.H2("Versterkingsopgave Groningen: prognose"),
        html.P(f"versterking {__version__} · werkmap {ws.folder}", style={"fontSize": 12, "color": "#666"}),
        dcc.Store(id="selection", data={"scenario": scenario.DEFAULT, "overrides": {},
                                        "label": scenario.DEFAULT}),
        dcc.Tabs(id="tabs", value="scenario", children=[
            dcc.Tab(label=label, value=key, id=f"tab-{key}",
                    children=html.Div(pages[key], style={"padding": 12}))
            for key, label in TABS]),
    ], style={"fontFamily": "sans-serif", "maxWidth": 1200, "margin": "0 auto"})
    scenario.register(app, ws)
    run.register(app, ws)
    compare.register(app, ws)
    whatif.register(app)
    target.register(app, ws)
    address.register(app)
    return app


def serve(ws: Workspace, port: int = 8050, browser: bool = True) -> None:
    """Serve the app on this machine only (127.0.0.1) until Ctrl-C; open it in the browser."""
    app = make_app(ws)
    url = f"http://127.0.0.1:{port}/"
    print(f"versterking app: {url} (werkmap {Path(ws.folder).resolve()}); stop met Ctrl-C", flush=True)
    if browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    app.run(host="127.0.0.1", port=port, debug=False)
