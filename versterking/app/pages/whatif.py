"""Wat als: per resource extra capacity from a date. The flow model answers at once, labelled as the
approximation it is; a full run (the forecast, with its band) is one click away, on the Doorrekenen
page."""

from __future__ import annotations

from dash import ALL, Input, Output, State, dcc, html, no_update

from ... import extra_with_steps, limits, preview, preview_text
from ...domain import RESOURCES
from ...errors import InputError
from .. import charts, fields, views
from ..workspace import loaded

FIRST = "2021-01-01"


def layout() -> html.Div:
    rows = [html.Div([
        html.Label(name, style={"display": "inline-block", "width": 180, "fontSize": 13}),
        dcc.Input(id={"type": "extra", "resource": name}, type="text", inputMode="numeric", value="0",
                  debounce=True, style={"width": 100}),
        html.Label(" plekken extra vanaf ", style={"fontSize": 13}),
        dcc.Input(id={"type": "extra-from", "resource": name}, type="text", value=FIRST, debounce=True,
                  style={"width": 110}),
        views.error("", id={"type": "extra-error", "resource": name}),
    ], style={"margin": "3px 0"}) for name in RESOURCES]
    return html.Div([
        html.H3("Wat als"),
        html.P(id="whatif-base"),
        *rows,
        views.error("", id="whatif-error"),
        html.Div(id="whatif-preview"),
        html.Button("Volledig doorrekenen (met bandbreedte)", id="whatif-run", n_clicks=0),
    ])


def register(app) -> None:
    @app.callback(Output("whatif-base", "children"), Input("scenario-pick", "value"))
    def base(scenario: str):
        return f"Extra capaciteit bovenop {scenario} (plekken: adressen tegelijk in behandeling)"

    @app.callback(Output("whatif-preview", "children"), Output("whatif-error", "children"),
                  Output({"type": "extra-error", "resource": ALL}, "children"),
                  Input({"type": "extra", "resource": ALL}, "value"),
                  Input({"type": "extra-from", "resource": ALL}, "value"), Input("scenario-pick", "value"))
    def approximate(extras: list, froms: list, scenario: str):
        changes, errors = overrides(scenario, extras, froms)
        if any(errors):
            return "", "", errors
        try:
            item = loaded(scenario, changes)
        except InputError as exc:
            return "", str(exc), errors
        p = preview(item)
        return html.Div([
            html.P("BENADERING met het stroommodel: geen voorspelling (geen ruis, onzekerheden op hun "
                   "modus). Reken volledig door voor de datums met hun bandbreedte.",
                   style={"fontWeight": "bold", "color": "#8a5a00"}, id="whatif-label"),
            views.printed(preview_text(p), id="whatif-text"),
            dcc.Graph(figure=charts.preview_years(p.voltooid_per_year(),
                                                  "Voltooid eind van elk jaar (BENADERING, stroommodel)")),
        ]), "", errors

    @app.callback(Output("selection", "data", allow_duplicate=True), Output("tabs", "value"),
                  Output("whatif-error", "children", allow_duplicate=True),
                  Input("whatif-run", "n_clicks"),
                  State({"type": "extra", "resource": ALL}, "value"),
                  State({"type": "extra-from", "resource": ALL}, "value"), State("scenario-pick", "value"),
                  prevent_initial_call=True)
    def full_run(_, extras: list, froms: list, scenario: str):
        changes, errors = overrides(scenario, extras, froms)
        if any(errors):
            return no_update, no_update, "niet doorgerekend: " + next(e for e in errors if e)
        return {"scenario": scenario, "overrides": changes, "label": scenario}, "run", ""


def overrides(scenario: str, extras: list, froms: list) -> tuple[dict, list[str]]:
    """Each resource's extra slots from its date, added to the extra schedule the scenario has; and per
    resource the field's error ("" when it reads)."""
    sc = loaded(scenario).scenario
    out, errors = {}, []
    for name, extra, first in zip(RESOURCES, extras, froms, strict=True):
        try:
            slots = fields.whole(extra, f"{name}: plekken extra", (0, limits.MAX_CAPACITY))
            day = fields.day(first, f"{name}: vanaf", sc.start, sc.horizon) if slots else None
            steps = extra_with_steps(getattr(sc.resources, name).extra, [(day, slots)]) if slots else None
        except InputError as exc:
            errors.append(str(exc))
            continue
        errors.append("")
        if steps:  # dates as text: the selection travels through the browser as JSON
            out[f"resources.{name}.extra"] = [{"from": c.from_.isoformat(), "value": c.value} for c in steps]
    return out, errors
