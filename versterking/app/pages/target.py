"""Terug redeneren: the question in planner terms (which milestone, by when, in what share of the
replications) and the answer as a plan per resource and year, within the scenario's growth limits, or
ONHAALBAAR with the earliest reachable date and the limit that binds."""

from __future__ import annotations

from datetime import timedelta

from dash import Input, Output, State, dcc, html, no_update

from ... import LoadedScenario, Question, answer_text, limits, seek
from ...domain import COMPLETIONS
from ...errors import InputError
from .. import fields, views
from ..workspace import Workspace, loaded


def layout() -> html.Div:
    return html.Div([
        html.H3("Terug redeneren"),
        html.P(id="target-selection"),
        html.P("Welke capaciteit per middel en per jaar is nodig om een mijlpaal op een datum te halen, "
               "binnen de groeigrenzen van het scenario ([target]: vanaf wanneer, hoe snel een middel mag "
               "groeien)? Het antwoord wordt gecontroleerd op nieuwe replicaties; reken op 1 tot 3 minuten.",
               style={"fontSize": 13}),
        html.Label("Mijlpaal ", style={"fontSize": 13}),
        dcc.Dropdown(id="target-milestone", options=list(COMPLETIONS), value="100%", clearable=False,
                     style={"width": 200, "display": "inline-block", "verticalAlign": "middle"}),
        views.field("Uiterlijk op (JJJJ-MM-DD)", dcc.Input(id="target-date", type="text", value="2030-12-31",
                                                           style={"width": 110}), "target-date-error"),
        views.field("In dit deel van de replicaties", dcc.Input(id="target-confidence", type="text",
                                                                inputMode="decimal", value="0.9",
                                                                style={"width": 70}),
                    "target-confidence-error", hint="groter dan 0, ten hoogste 1"),
        views.progress("target"),
        views.error("", id="target-error"),
        html.Div(id="target-results"),
    ])


def register(app, ws: Workspace) -> None:
    @app.callback(Output("target-selection", "children"), Input("run-selection", "children"))
    def selection(text: str):
        return text

    @app.callback(Output("target-date-error", "children"), Output("target-confidence-error", "children"),
                  Input("target-date", "value"), Input("target-confidence", "value"),
                  State("selection", "data"))
    def check(done_by: str, confidence: str | None, selection: dict):
        """Each field's error as it is typed (and gone once it reads)."""
        return _read(selection, done_by, confidence)[2:]

    @app.callback(Output("target-results", "children"), Output("target-error", "children"),
                  Input("target-start", "n_clicks"),
                  State("selection", "data"), State("target-milestone", "value"),
                  State("target-date", "value"), State("target-confidence", "value"),
                  **views.background("target"))
    def start(set_progress, _, selection: dict, milestone: str, done_by: str, confidence: str | None):
        item, question, *errors = _read(selection, done_by, confidence, milestone)
        if question is None:
            return no_update, "niet gestart: " + next((e for e in errors if e), "")
        steps = [0]

        def log(line: str) -> None:  # every evaluation the search logs is a step forward
            steps[0] += 1
            set_progress((str(min(steps[0], 12)), "12", line.strip()))

        set_progress(("0", "12", "stroommodel"))
        try:
            answer = seek(item, question, workers=ws.workers, scheduler=ws.scheduler, log=log)
        except InputError as exc:
            return no_update, str(exc)
        set_progress(("12", "12", f"klaar: {answer.runs} simulaties"))
        children = [views.printed(answer_text(answer), id="target-text")]
        if answer.plan is not None:
            yearly = answer.yearly()
            wide = yearly.pivot(index="middel", columns="jaar", values="adressen per jaar").reset_index()
            wide.columns = [str(c) for c in wide.columns]
            children += [html.H4("Adressen per jaar die het plan per middel aankan"),
                         views.table(wide, "target-plan")]
        return html.Div(children), ""


def _read(selection: dict, done_by: str, confidence: str | None, milestone: str = "100%"
          ) -> tuple[LoadedScenario | None, Question | None, str, str]:
    """The scenario and the question (None where a field does not read); and the date's and the
    share's errors ("" where they read)."""
    try:
        item = loaded(selection["scenario"], selection.get("overrides"))
    except InputError as exc:
        return None, None, str(exc), ""
    sc = item.scenario
    first = sc.start + timedelta(days=1)
    day, day_error = fields.read(fields.day, done_by, "uiterlijk op", first, sc.horizon)
    share, share_error = fields.read(fields.share, confidence, "deel van de replicaties", limits.CONFIDENCE)
    question = None if day_error or share_error else Question(day, share, milestone)
    return item, question, day_error, share_error
