"""The results folder's figures as interactive charts (values on hover): the same tables, colours and
labels as the report's figures (versterking.outputs.figures), drawn with Plotly for the web app."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from .. import filenames, read_table
from ..calendar import quarter_dates
from ..domain import COLORS, LAYERS, RESOURCE_NAMES, VERSTERKT

LAYOUT = {"template": "plotly_white", "height": 380, "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
          "legend": {"orientation": "h", "y": -0.15}, "hovermode": "x unified"}


def dashboard(folder: Path, group: str = "totaal") -> go.Figure:
    """Addresses per milestone each quarter, stacked (means over the replications), as the NCG
    dashboard shows them; voltooid in its two parts, versterkt and voldoet aan de norm."""
    m = read_table(folder, filenames.MILESTONES)
    g = m[(m["statistiek"] == "gemiddeld") & (m["groep"] == group)].sort_values("peildatum")
    layers = LAYERS if VERSTERKT in g.columns else [c for c in LAYERS if c in g.columns]
    fig = go.Figure([go.Scatter(x=g["peildatum"], y=g[k].round(), name=k, stackgroup="mijlpaal", mode="lines",
                                line={"width": 0.5, "color": COLORS[k]}, hovertemplate="%{y:,.0f}")
                     for k in layers])
    fig.update_layout(LAYOUT, title=f"Adressen per mijlpaal per kwartaal ({group}, gemiddelde)",
                      yaxis_title="adressen")
    return fig


def fan(folders: list[tuple[str, Path]]) -> go.Figure:
    """Voltooid over time: the P50 line and its P10 - P90 band, one colour a scenario."""
    fig = go.Figure()
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]
    for k, (label, folder) in enumerate(folders):
        m = read_table(folder, filenames.MILESTONES)
        t = m[m["niveau"] == "totaal"].pivot_table(index="peildatum", columns="statistiek", values="voltooid")
        color = palette[k % len(palette)]
        fig.add_trace(go.Scatter(x=t.index, y=t["P90"], line={"width": 0}, showlegend=False,
                                 name=f"{label} P90", hovertemplate="%{y:,.0f}"))
        fig.add_trace(go.Scatter(x=t.index, y=t["P10"], line={"width": 0}, fill="tonexty", opacity=0.3,
                                 fillcolor=_transparent(color), name=f"{label} P10 - P90",
                                 hovertemplate="%{y:,.0f}"))
        fig.add_trace(go.Scatter(x=t.index, y=t["P50"], line={"color": color}, name=f"{label} P50",
                                 hovertemplate="%{y:,.0f}"))
    fig.update_layout(LAYOUT, title="Voltooid (cumulatief), P50 met de band P10 - P90",
                      yaxis_title="adressen voltooid")
    return fig


OTHER = {"geen": "geen wachtrij", "-": "klaar"}  # no line holds an address up; the run was done


def bottlenecks(folder: Path) -> go.Figure:
    """The binding resource per year: in which share of the replications each line held the most
    addresses up."""
    b = pd.read_csv(folder / filenames.BOTTLENECKS)
    fig = go.Figure([go.Bar(x=g["jaar"], y=100 * g["aandeel replicaties"],
                            name=RESOURCE_NAMES.get(name, OTHER.get(name, name)),
                            hovertemplate="%{y:.0f}% van de replicaties")
                     for name, g in b.groupby("knelpunt", sort=False)])
    fig.update_layout(LAYOUT, barmode="stack", title="Knelpunt per jaar (aandeel van de replicaties)",
                      yaxis_title="% van de replicaties")
    return fig


def wisselwoningen(folder: Path) -> go.Figure:
    """Wisselwoningen per quarter (P50): supply against demand (in use plus waiting)."""
    r = read_table(folder, filenames.RESOURCES)
    w = r[(r["middel"] == "wisselwoningen") & (r["statistiek"] == "P50")]
    when = quarter_dates(w["kwartaal"])
    fig = go.Figure([
        go.Scatter(x=when, y=w["capaciteit"], name="aanbod (capaciteit)", line={"color": "#3182bd"},
                   hovertemplate="%{y:,.0f}"),
        go.Scatter(x=when, y=w["in gebruik"] + w["wachtrij"], name="vraag (in gebruik + wachtend)",
                   line={"color": "#e6550d"}, hovertemplate="%{y:,.0f}"),
    ])
    fig.update_layout(LAYOUT, title="Wisselwoningen: vraag en aanbod per kwartaal (P50)",
                      yaxis_title="wisselwoningen")
    return fig


def preview_years(per_year: pd.DataFrame, title: str) -> go.Figure:
    """The flow model's share voltooid at the end of each year (an approximation)."""
    fig = go.Figure(go.Bar(x=per_year["jaar"], y=100 * per_year["aandeel"], marker_color="#9ecae1",
                           hovertemplate="%{y:.1f}% voltooid"))
    fig.update_layout(LAYOUT, title=title, yaxis_title="% voltooid (benadering)")
    return fig


def _transparent(color: str) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},0.25)"
