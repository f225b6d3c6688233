"""Wanneer is mijn huis aan de beurt: an address (or a cluster, a street) looked up in the results of
the scenario last run on the Doorrekenen page; its milestones ahead as P10 / P50 / P90."""

from __future__ import annotations

from pathlib import Path

from dash import Input, Output, State, dcc, html

from ... import lookup_text
from ...errors import InputError
from .. import views


def layout() -> html.Div:
    return html.Div([
        html.H3("Wanneer is mijn huis aan de beurt?"),
        html.P("Zoek een adres (bijv. A001529) of een cluster (bijv. C00019) in de resultaten van het "
               "laatst doorgerekende scenario.", style={"fontSize": 13}),
        dcc.RadioItems(id="lookup-kind", options=[{"label": " adres", "value": "adres"},
                                                  {"label": " cluster", "value": "cluster"}],
                       value="adres", inline=True, style={"fontSize": 13}),
        dcc.Input(id="lookup-id", type="text", placeholder="A001529", debounce=True, style={"width": 160}),
        html.Button("Zoek", id="lookup-go", n_clicks=0, style={"marginLeft": 8}),
        views.error("", id="lookup-error"),
        html.Div(id="lookup-result"),
    ])


def register(app) -> None:
    @app.callback(Output("lookup-result", "children"), Output("lookup-error", "children"),
                  Input("lookup-go", "n_clicks"), Input("lookup-id", "value"),
                  State("lookup-kind", "value"), State("run-folder", "data"), prevent_initial_call=True)
    def find(_, key: str | None, kind: str, folder: str | None):
        if not key:
            return "", ""
        if not folder:
            return "", "reken eerst een scenario door (pagina Doorrekenen)"
        try:
            text = lookup_text(Path(folder), **({"address": key.strip()} if kind == "adres"
                                                 else {"cluster": key.strip()}))
        except InputError as exc:
            return "", str(exc).split(": ", 1)[-1]
        return views.printed(text, id="lookup-text"), ""
