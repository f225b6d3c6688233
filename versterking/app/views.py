"""Small building blocks the pages share: a table of a DataFrame, a block of printed text, a line of
error, a progress bar with its buttons."""

from __future__ import annotations

import pandas as pd
from dash import Input, Output, dash_table, html

TABLE_STYLE = {"style_table": {"overflowX": "auto"},
               "style_cell": {"fontFamily": "sans-serif", "fontSize": 13, "padding": "4px 8px",
                              "textAlign": "left", "whiteSpace": "normal", "height": "auto",
                              "maxWidth": 520},
               "style_header": {"fontWeight": "bold", "backgroundColor": "#f0f0f0"}}


def table(df: pd.DataFrame, id: str, page_size: int = 20, **options) -> dash_table.DataTable:
    return dash_table.DataTable(data=df.to_dict("records"), id=id, page_size=page_size,
                                columns=[{"name": str(c), "id": str(c)} for c in df.columns],
                                **TABLE_STYLE, **options)


def printed(text: str, id: str | None = None) -> html.Pre:
    """What the command line prints, as it prints it."""
    return html.Pre(text, id=id, style={"fontSize": 12, "background": "#f7f7f7", "padding": 10,
                                        "whiteSpace": "pre-wrap"})


def error(text: str, id: str | None = None) -> html.Div:
    return html.Div(text, id=id, className="fout", style={"color": "#b30000", "fontSize": 13})


def progress(prefix: str) -> html.Div:
    """Start and cancel buttons, a progress bar and a status line; ids <prefix>-start, -cancel, -bar,
    -status."""
    return html.Div([
        html.Button("Start", id=f"{prefix}-start", n_clicks=0),
        html.Button("Annuleren", id=f"{prefix}-cancel", n_clicks=0, disabled=True, style={"marginLeft": 8}),
        html.Progress(id=f"{prefix}-bar", value="0", max="1", style={"width": 320, "marginLeft": 12}),
        html.Span(id=f"{prefix}-status", style={"marginLeft": 12, "fontSize": 13}),
    ], style={"margin": "10px 0"})


def background(prefix: str) -> dict:
    """The options of a Dash callback that runs in the background behind progress(prefix): the start
    button off and cancel on while it runs, cancel ends it, and it reports (value, max, status)."""
    return {"background": True, "prevent_initial_call": True,
            "running": [(Output(f"{prefix}-start", "disabled"), True, False),
                        (Output(f"{prefix}-cancel", "disabled"), False, True)],
            "cancel": [Input(f"{prefix}-cancel", "n_clicks")],
            "progress": [Output(f"{prefix}-bar", "value"), Output(f"{prefix}-bar", "max"),
                         Output(f"{prefix}-status", "children")]}


def field(label: str, control, error_id: dict | str, hint: str = "") -> html.Div:
    """A labelled input with its one-line error beneath it."""
    return html.Div([
        html.Label(label, style={"display": "inline-block", "width": 330, "fontSize": 13}),
        control,
        html.Span(hint, style={"marginLeft": 8, "fontSize": 12, "color": "#666"}),
        error("", id=error_id),
    ], style={"margin": "4px 0"})
