"""Doorrekenen: the chosen scenario (with any what-if changes) over replications, with a progress bar
and a cancel button; results are kept by the scenario's content hash, seed and replications, so a
scenario run before shows at once. Then the results: end dates P10 / P50 / P90 per risk profile and
gemeente, the milestones per quarter in the dashboard's layout, the charts, and the downloads."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from dash import Input, Output, State, dcc, html, no_update

from ... import filenames, limits, read_table
from ...domain import VERSTERKT, VOLDOET
from ...errors import InputError
from .. import charts, fields, views
from ..workspace import Workspace, archive, cached, forecast, report, workbook

REPLICATIONS = 20


def layout(ws: Workspace) -> html.Div:
    return html.Div([
        html.H3("Doorrekenen"),
        html.P(id="run-selection"),
        views.field("Replicaties", dcc.Input(id="run-replications", type="text", inputMode="numeric",
                                             value=str(REPLICATIONS), debounce=True, style={"width": 80}),
                    "run-replications-error", hint=fields.span(limits.RUN_REPLICATIONS)),
        views.field("Root seed", dcc.Input(id="run-seed", type="text", inputMode="numeric", debounce=True,
                                           style={"width": 160}),
                    "run-seed-error", hint="leeg: die van het scenario"),
        views.progress("run"),
        views.error("", id="run-error"),
        dcc.Store(id="run-folder"),
        html.Div(id="run-results"),
        dcc.Download(id="download"),
    ])


def register(app, ws: Workspace) -> None:
    @app.callback(Output("run-selection", "children"), Output("run-folder", "data"),
                  Output("run-replications-error", "children"), Output("run-seed-error", "children"),
                  Output("run-error", "children", allow_duplicate=True),
                  Input("selection", "data"), Input("run-replications", "value"), Input("run-seed", "value"),
                  prevent_initial_call="initial_duplicate")
    def kept(selection: dict, replications: str | None, seed: str | None):
        """The selection, each field's error, and the results if they were kept; once the fields
        read, a run refused for them ("niet gestart") is no longer the news."""
        changes = selection.get("overrides") or {}
        label = selection["label"] + (f" met {len(changes)} wijziging(en): " + ", ".join(
            f"{k} = {v}" for k, v in changes.items()) if changes else "")
        n, root, errors = _read(replications, seed)
        folder = None
        if not any(errors):
            try:
                folder = cached(ws, selection["scenario"], changes, n, root)
            except InputError:
                folder = None
        refused = no_update if any(errors) else ""
        return f"Scenario: {label}", str(folder) if folder else None, *errors, refused

    @app.callback(Output("run-folder", "data", allow_duplicate=True), Output("run-error", "children"),
                  Input("run-start", "n_clicks"),
                  State("selection", "data"), State("run-replications", "value"), State("run-seed", "value"),
                  **views.background("run"))
    def start(set_progress, _, selection: dict, replications: str | None, seed: str | None):
        n, root, errors = _read(replications, seed)
        if any(errors):
            return no_update, "niet gestart: " + next(e for e in errors if e)
        done = [0]

        def tick(k: int) -> None:
            done[0] += k
            set_progress((str(done[0]), str(n), f"{done[0]} van {n} replicaties"))

        set_progress(("0", str(n), f"0 van {n} replicaties"))
        try:
            folder = forecast(ws, selection["scenario"], selection.get("overrides"), n, root, tick)
        except InputError as exc:
            return no_update, str(exc)
        return str(folder), ""

    @app.callback(Output("run-results", "children"), Input("run-folder", "data"))
    def results(folder: str | None):
        if not folder:
            return html.P("Nog geen resultaten voor deze keuze: druk op Start.", id="run-empty")
        return _results(Path(folder))

    @app.callback(Output("download", "data"),
                  Input("download-report", "n_clicks"), Input("download-workbook", "n_clicks"),
                  Input("download-zip", "n_clicks"), State("run-folder", "data"), prevent_initial_call=True)
    def download(report_clicks, workbook_clicks, zip_clicks, folder: str | None):
        from dash import ctx

        if not folder:
            return no_update
        make = {"download-report": report, "download-workbook": workbook, "download-zip": archive}
        return dcc.send_file(str(make[ctx.triggered_id](Path(folder))))


def _read(replications: str | None, seed: str | None) -> tuple[int | None, int | None, list[str]]:
    """Replications and root seed by the command line's rules, and each field's error ("" if it reads)."""
    n, n_error = fields.read(fields.whole, replications, "replicaties", limits.RUN_REPLICATIONS)
    root, root_error = fields.read(fields.optional_whole, seed, "root seed", limits.SEED)
    return n, root, [n_error, root_error]


def _results(folder: Path) -> html.Div:
    summary = (folder / filenames.SUMMARY).read_text(encoding="utf-8")
    return html.Div([
        html.H4("Samenvatting"),
        views.printed(summary, id="run-summary"),
        html.Div([html.Button("Rapport (HTML)", id="download-report"),
                  html.Button("Werkboek (Excel)", id="download-workbook", style={"marginLeft": 8}),
                  html.Button("Resultatenmap (zip)", id="download-zip", style={"marginLeft": 8})]),
        html.H4("Einddatum per groep (P10 / P50 / P90)"),
        views.table(end_dates(folder), "end-dates"),
        dcc.Graph(figure=charts.fan([(scenario_name(folder), folder)]), id="chart-fan"),
        dcc.Graph(figure=charts.dashboard(folder), id="chart-dashboard"),
        html.H4("Mijlpalen per kwartaal (gemiddelde over de replicaties), zoals het dashboard"),
        views.table(milestones(folder), "milestones", page_size=12),
        dcc.Graph(figure=charts.bottlenecks(folder), id="chart-bottlenecks"),
        dcc.Graph(figure=charts.wisselwoningen(folder), id="chart-wisselwoningen"),
    ])


def scenario_name(folder: Path) -> str:
    return json.loads((folder / filenames.MANIFEST).read_text(encoding="utf-8"))["scenario"]["name"]


def end_dates(folder: Path) -> pd.DataFrame:
    """Per group (the opgave, each risk profile, each gemeente) 95% and 100% voltooid, P10 / P50 / P90."""
    e = pd.read_csv(folder / filenames.END_DATES)
    e = e[e["statistiek"].isin(["P10", "P50", "P90"])]
    wide = e.pivot_table(index=["niveau", "groep"], columns="statistiek", aggfunc="first",
                         values=["95% voltooid", "100% voltooid"], sort=False)
    wide.columns = [f"{what} {stat}" for what, stat in wide.columns]
    order = [f"{w} {s}" for w in ("100% voltooid", "95% voltooid") for s in ("P10", "P50", "P90")]
    out = wide.reindex(columns=order).reset_index()  # where owners stay out, 100% is empty throughout
    if "illustratief" in e.columns:
        marks = e.drop_duplicates(["niveau", "groep"]).set_index(["niveau", "groep"])["illustratief"]
        out["illustratief"] = [marks.get(key) or "" for key in zip(out["niveau"], out["groep"], strict=True)]
    return out.astype(object).where(out.notna(), "")


def milestones(folder: Path) -> pd.DataFrame:
    """The opgave's milestones per quarter as the dashboard counts them, voltooid in its two parts."""
    m = read_table(folder, filenames.MILESTONES)
    t = m[(m["niveau"] == "totaal") & (m["statistiek"] == "gemiddeld")]
    columns = ["kwartaal", "nog niet gestart", "opname", "beoordeling", "planvorming", "uitvoering",
               "voltooid", VERSTERKT, VOLDOET]
    t = t[[c for c in columns if c in t.columns]].copy()
    for c in t.columns[1:]:
        t[c] = t[c].round().astype(int)
    if VERSTERKT in t.columns:  # the parts rounded, and the whole their sum, so the table adds up
        t["voltooid"] = t[VERSTERKT] + t[VOLDOET]
    return t
