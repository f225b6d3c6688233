"""One self-contained HTML file for a results folder: the scenario in words, end dates with their
spread, the figures (embedded, so it opens offline), the dashboard table, the bottleneck per year and
the manifest to reproduce it. Comparison folders get their side-by-side table instead."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import pandas as pd

from .. import filenames
from ..calendar import dutch_date
from ..domain import ILLUSTRATIEF
from ..errors import InputError
from ..runs.tables import illustrative_groups
from ..writing import atomic_folder
from .figures import FIGURES, draw_all
from .printout import runs

STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border:1px solid #ddd;padding:.2rem .5rem;text-align:right}th{background:#f4f4f4}
td:first-child,th:first-child{text-align:left}figure{margin:1rem 0}img{max-width:100%}
.breed{overflow-x:auto;max-width:100%}
figcaption{font-size:.85rem;color:#555}pre{background:#f7f7f7;padding:.5rem;font-size:.75rem;white-space:pre-wrap}
"""


def report(folder: Path, force: bool = False) -> Path:
    """FOLDER/rapport/ for the results folder of a run or a comparison, written whole or not at all
    (`force`: replace a report the tool wrote); returns its rapport.html."""
    if not (folder / filenames.MANIFEST).is_file():
        raise InputError(f"{folder}: not a results folder (no {filenames.MANIFEST}); give the folder that "
                         "`versterking run` or `compare` wrote")
    with atomic_folder(folder / filenames.REPORT, force, "report") as tmp:
        write_report(folder, tmp)
    return folder / filenames.REPORT / filenames.REPORT_PAGE


def write_report(folder: Path, out: Path) -> Path:
    """Draw the figures into `out` and write `out/rapport.html`; returns the HTML file."""
    out.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((folder / filenames.MANIFEST).read_text(encoding="utf-8"))
    if (folder / filenames.COMPARISON).exists():
        body = _comparison(folder, manifest)
        title = "Vergelijking van scenario's"
    else:
        name = manifest["scenario"]["name"]
        draw_all(folder, out, name)
        body = _run(folder, out, manifest)
        title = f"Prognose versterkingsopgave: {name}"
    page = (f"<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
            f"</title><style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{body}"
            f"<h2>Reproduceren</h2>{_reproduce(manifest)}</body></html>\n")
    path = out / filenames.REPORT_PAGE
    path.write_text(page, encoding="utf-8")
    return path


def _run(folder: Path, figures: Path, manifest: dict) -> str:
    resolved = manifest["scenario"]["resolved"]
    replications = manifest.get("replications", 1)
    parts = [f"<p>{html.escape(resolved.get('description', ''))}</p>",
             f"<p>Start {resolved['start']}, horizon {resolved['horizon']}, {runs(replications)}, "
             f"seed {manifest['seed']}; maatregelen: "
             f"{html.escape(', '.join(_measures(resolved)) or 'geen')}.</p>"]
    summary = folder / filenames.SUMMARY
    if summary.exists():
        parts.append(f"<pre>{html.escape(summary.read_text(encoding='utf-8'))}</pre>")
    parts.append("<h2>Einddatums</h2>" + _end_dates(folder))
    parts.append("<h2>Figuren</h2>")
    for stem, caption in FIGURES.items():
        if not (figures / f"{stem}.png").exists():  # the decomposition: only with uncertain parameters
            continue
        data = base64.b64encode((figures / f"{stem}.png").read_bytes()).decode()
        parts.append(f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
                     f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    parts.append("<h2>Knelpunt per jaar</h2>" + _bottlenecks(folder))
    if (folder / filenames.BOTTLENECKS_GEMEENTE).is_file():  # folders of earlier versions have none
        parts.append("<h2>Knelpunt per gemeente</h2>" + _per_gemeente(folder))
    parts.append("<h2>Dashboard per kwartaal (hele opgave)</h2>" + _dashboard(folder))
    return "\n".join(parts)


def _measures(resolved: dict) -> list[str]:
    return [name for name, block in (resolved.get("measures") or {}).items()
            if block and block.get("enabled", True)]


def _end_dates(folder: Path) -> str:
    ends = pd.read_csv(folder / filenames.END_DATES)
    if "statistiek" not in ends.columns:
        return _table(ends)
    cols = [c for c in ends.columns if c not in ("niveau", "groep", "statistiek", "adressen", ILLUSTRATIEF)]
    wide = ends[ends["statistiek"].isin(["P10", "P50", "P90"])].pivot_table(
        index="groep", columns="statistiek", values=cols, aggfunc="first", sort=False, dropna=False)
    marked = illustrative_groups(ends)
    rows = []
    for group in dict.fromkeys(ends["groep"]):
        row = {"groep": f"{group} ({ILLUSTRATIEF})" if group in marked else group}
        for c in cols:
            p10, p50, p90 = (wide.loc[group, (c, s)] for s in ("P10", "P50", "P90"))
            row[c] = f"{dutch_date(p50)} ({dutch_date(p10)} - {dutch_date(p90)})"
        rows.append(row)
    note = (" Per gemeente illustratief: zonder adressenbestand is de verdeling van de adressen over de "
            "gemeenten een aanname (alleen het totaal van Groningen is gepubliceerd)." if marked else "")
    return (f"<p>P50 over de replicaties, tussen haakjes P10 - P90.{note}</p>" + _table(pd.DataFrame(rows)))


def _dashboard(folder: Path) -> str:
    m = pd.read_csv(folder / filenames.MILESTONES)
    m = m[m["niveau"] == "totaal"]
    if "statistiek" in m.columns:
        m = m[m["statistiek"] == "gemiddeld"]
        note = "<p>Gemiddelde over de replicaties (telt op tot het totaal).</p>"
    else:
        note = ""
    shown = m.drop(columns=[c for c in ("niveau", "groep", "statistiek") if c in m.columns])
    return note + "<details><summary>tabel tonen</summary>" + _table(shown.round(0)) + "</details>"


def _comparison(folder: Path, manifest: dict) -> str:
    summary = (folder / filenames.SUMMARY).read_text(encoding="utf-8")
    parts = [f"<pre>{html.escape(summary)}</pre>",
             "<h2>Vergelijking (P10, P50, P90 in dagen na de start)</h2>",
             _table(pd.read_csv(folder / filenames.COMPARISON).round(1))]
    return "\n".join(parts)


NOTHING_WAITS = "geen: niets wacht meer"  # bottlenecks.csv's "-"


def _bottlenecks(folder: Path) -> str:
    """Runs of years with the same knelpunt, one row each (every year is in bottlenecks.csv)."""
    df = pd.read_csv(folder / filenames.BOTTLENECKS)
    df["knelpunt"] = df["knelpunt"].replace("-", NOTHING_WAITS)
    run = (df["knelpunt"] != df["knelpunt"].shift()).cumsum()
    rows = [{"jaren": _span(g["jaar"].iloc[0], g["jaar"].iloc[-1], "{}"), "knelpunt": g["knelpunt"].iloc[0],
             "aandeel replicaties": _span(g["aandeel replicaties"].min(), g["aandeel replicaties"].max(),
                                          "{:.0%}")}
            for _, g in df.groupby(run, sort=False)]
    return ("<p>Per jaar het middel met de langste wachtrij in de meeste replicaties; <em>aandeel "
            "replicaties</em> is het deel van de replicaties waarin dat zo is (per jaar in "
            "bottlenecks.csv). <em>" + NOTHING_WAITS + "</em>: in de meeste replicaties wacht dat jaar geen "
            "adres meer (de opgave is daar klaar, of wat over is zit in een stap zonder wachtrij).</p>"
            + _table(pd.DataFrame(rows)))


def _span(low, high, form: str) -> str:
    return form.format(low) if low == high else f"{form.format(low)} - {form.format(high)}"


def _per_gemeente(folder: Path) -> str:
    """The line each gemeente's addresses wait in most, every fifth year (all years in the csv)."""
    df = pd.read_csv(folder / filenames.BOTTLENECKS_GEMEENTE)
    years = sorted(df["jaar"].unique())
    shown = [y for y in years if y == years[0] or y % 5 == 0]
    grid = df[df["jaar"].isin(shown)].pivot(index="gemeente", columns="jaar", values="knelpunt").replace(
        "-", "geen")
    waiting = [y for y in grid.columns if (grid[y] != "geen").any()]
    if waiting:  # the years after every gemeente is done say nothing: the first of them is enough
        after = [y for y in grid.columns if y > waiting[-1]]
        grid = grid[[y for y in grid.columns if y <= waiting[-1]] + after[:1]]
    grid.columns = [str(y) for y in grid.columns]
    note = ""
    if ILLUSTRATIEF in df.columns and (df[ILLUSTRATIEF] == "ja").any():
        note = ("<p>Illustratief: zonder adressenbestand is de verdeling van de adressen over de gemeenten "
                "een aanname.</p>")
    return _table(grid.reset_index()) + note


def _table(df: pd.DataFrame) -> str:
    """A table that scrolls sideways inside the page when it is wider than the page."""
    return '<div class="breed">' + df.to_html(index=False, na_rep="", border=0, escape=True) + "</div>"


def _reproduce(manifest: dict) -> str:
    keep = {k: manifest.get(k) for k in ("package", "version", "command", "created", "seed", "replications",
                                         "python", "platform")}
    keep["scenario sha256"] = (manifest.get("scenario") or {}).get("sha256")
    return (f"<pre>{html.escape(json.dumps(keep, indent=2, default=str))}</pre>"
            "<p>Dezelfde scenariobestanden (volledig in manifest.json), seed en versie geven dezelfde "
            "getallen.</p>")

