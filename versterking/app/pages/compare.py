"""Vergelijken: two to five scenarios side by side with common random numbers (replication i of each
draws the same per address and the same value of each uncertain number they share), the difference
in years with the first, and on request what each measure buys (attribution)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from dash import Input, Output, State, dcc, html, no_update

from ... import compare, compared_variants, comparison_text, headline, limits, load_scenario
from ...calendar import date_at, dutch_date
from ...errors import InputError
from .. import fields, views
from ..workspace import Workspace, choices


def layout(ws: Workspace) -> html.Div:
    return html.Div([
        html.H3("Vergelijken"),
        dcc.Dropdown(id="compare-pick", options=choices(ws), value=["basis", "versnellingspakket"],
                     multi=True, style={"width": 640}),
        views.field("Replicaties per scenario",
                    dcc.Input(id="compare-replications", type="text", inputMode="numeric", value="5",
                              style={"width": 80}),
                    "compare-replications-error", hint=fields.span(limits.COMPARE_REPLICATIONS)),
        dcc.Checklist(id="compare-attribution", options=[{"label": " wat elke maatregel oplevert "
                                                          "(attributie; kost meer runs)", "value": "ja"}],
                      value=[], style={"fontSize": 13, "marginTop": 6}),
        views.progress("compare"),
        views.error("", id="compare-error"),
        html.Div(id="compare-results"),
    ])


def register(app, ws: Workspace) -> None:
    @app.callback(Output("compare-pick", "options"), Input("scenario-pick", "options"))
    def follow(options):
        return options

    @app.callback(Output("compare-replications-error", "children"), Input("compare-replications", "value"))
    def check(replications: str | None):
        return _replications(replications)[1]

    @app.callback(Output("compare-results", "children"), Output("compare-error", "children"),
                  Input("compare-start", "n_clicks"),
                  State("compare-pick", "value"), State("compare-replications", "value"),
                  State("compare-attribution", "value"),
                  **views.background("compare"))
    def start(set_progress, _, picked: list[str] | None, replications: str | None, attribution: list):
        picked = picked or []
        n, error = _replications(replications)
        if error:
            return no_update, f"niet gestart: {error}"
        if not 2 <= len(picked) <= 5:
            return no_update, "kies twee tot vijf scenario's"
        done = [0]

        def tick(k: int) -> None:
            done[0] += k
            set_progress((str(done[0]), str(total), f"{done[0]} van {total} runs"))

        try:
            items = [load_scenario(name) for name in picked]
        except InputError as exc:
            return no_update, str(exc)
        total = n * len(compared_variants([item.scenario for item in items], bool(attribution)))
        set_progress(("0", str(total), "bezig"))
        try:
            c = compare(items, n, attribution=bool(attribution), workers=ws.workers, scheduler=ws.scheduler,
                        progress=tick)
        except InputError as exc:
            return no_update, str(exc)
        return html.Div([views.printed(comparison_text(c), id="compare-text"),
                         views.table(dates(c), "compare-table")]), ""


def dates(c) -> pd.DataFrame:
    """The end dates side by side: P10, P50, P90 per scenario and the paired difference with the first
    in years (the headline measures; the other rows of the table are counts, in the text above)."""
    start = c.scenarios[0].scenario.start
    t = c.table[c.table["maatstaf"].isin(headline(c.table))].copy()
    for column in ("P10", "P50", "P90"):
        t[column] = [dutch_date(date_at(start, d)) for d in t[column]]
    t["verschil met de eerste (jaar)"] = [f"{v / 365.25:+.1f}" if np.isfinite(v) else ""
                                          for v in t["verschil_P50"]]
    return t[["maatstaf", "scenario", "P10", "P50", "P90", "verschil met de eerste (jaar)"]]


def _replications(text: str | None) -> tuple[int | None, str]:
    return fields.read(fields.whole, text, "replicaties per scenario", limits.COMPARE_REPLICATIONS)
