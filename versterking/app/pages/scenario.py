"""Scenario: pick one from the library (or one saved here), read its description and every number with
its source or its ASSUMPTION and range, change capacities, measure dates and ranges (each change
checked as the command line checks it, the error next to the field), and save the result as a new
scenario file that extends the chosen one."""

from __future__ import annotations

from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from ... import scenario_keys
from ...errors import InputError
from .. import edits, views
from ..workspace import Workspace, choices, loaded, save

DEFAULT = "verwachting"


def layout(ws: Workspace) -> html.Div:
    return html.Div([
        html.H3("Scenario"),
        dcc.Dropdown(id="scenario-pick", options=choices(ws), value=DEFAULT, clearable=False,
                     style={"width": 480}),
        html.P(id="scenario-description", style={"fontStyle": "italic"}),
        html.H4("Alle getallen, met hun bron of aanname"),
        html.Div(id="parameters-table"),
        html.H4("Aanpassen"),
        html.P("Elke wijziging wordt gecontroleerd zoals `versterking validate` dat doet; sla het resultaat "
               "op als een nieuw scenario dat het gekozen scenario uitbreidt (een meegeleverd scenario "
               "wordt nooit overschreven).", style={"fontSize": 13}),
        html.Div(id="edit-form"),
        html.Div([
            html.Label("Naam van het nieuwe scenario ", style={"fontSize": 13}),
            dcc.Input(id="save-name", type="text", placeholder="bijv. basis-meer-bouwers", debounce=True),
            html.Button("Opslaan als nieuw scenario", id="save", n_clicks=0, style={"marginLeft": 8}),
            html.Div(id="save-result", style={"fontSize": 13, "marginTop": 4}),
        ], style={"margin": "12px 0"}),
    ])


def register(app, ws: Workspace) -> None:
    @app.callback(Output("scenario-description", "children"), Output("edit-form", "children"),
                  Output("parameters-table", "children"), Output("selection", "data"),
                  Input("scenario-pick", "value"))
    def show(scenario: str):
        item = loaded(scenario)
        form = [views.field(f.label, dcc.Input(id={"type": "edit", "key": f.id}, value=f.value, debounce=True,
                                                type="number" if f.kind == "number" else "text",
                                                style={"width": 140}),
                            {"type": "edit-error", "key": f.id}, hint=f"nu {f.value}")
                for f in edits.fields(item)]
        table = views.table(scenario_keys(item), "parameters", page_size=15, filter_action="native",
                            sort_action="native")
        return (item.scenario.description, form, table,
                {"scenario": scenario, "overrides": {}, "label": item.scenario.name})

    @app.callback(Output({"type": "edit-error", "key": ALL}, "children"),
                  Input({"type": "edit", "key": ALL}, "value"), State("scenario-pick", "value"),
                  prevent_initial_call=True)
    def check_each(values: list, scenario: str):
        """Each changed field on its own, so that its error stands next to it."""
        item = loaded(scenario)
        ids = [i["id"]["key"] for i in ctx.inputs_list[0]]
        unreadable = edits.problems(item, dict(zip(ids, values, strict=True)))
        out = []
        for field_id, value in zip(ids, values, strict=True):
            changes = edits.overrides(item, {field_id: value})  # an unreadable value is no change
            problem = unreadable.get(field_id) or (edits.check(scenario, changes) if changes else None)
            out.append(problem or "")
        return out

    @app.callback(Output("save-result", "children"), Output("scenario-pick", "options"),
                  Output("scenario-pick", "value"),
                  Input("save", "n_clicks"), State("save-name", "value"),
                  State({"type": "edit", "key": ALL}, "value"), State("scenario-pick", "value"),
                  prevent_initial_call=True)
    def save_as(_, name: str | None, values: list, scenario: str):
        item = loaded(scenario)
        ids = [i["id"]["key"] for i in ctx.states_list[1]]
        entered = dict(zip(ids, values, strict=True))
        unreadable = edits.problems(item, entered)
        if unreadable:
            return views.error("niet opgeslagen: " + next(iter(unreadable.values())), id="save-error"), \
                no_update, no_update
        changes = edits.overrides(item, entered)
        if not changes:
            return views.error("niets gewijzigd: pas eerst een getal aan"), no_update, no_update
        try:
            path = save(ws, scenario, (name or "").strip(), changes)
        except InputError as exc:
            return views.error(edits.dutch(str(exc)), id="save-error"), no_update, no_update
        return (html.Span(f"opgeslagen: {path}", id="save-ok"), choices(ws), str(path))
