"""Figures: drawn from a results folder (replicated or single), as PNG and SVG, the same every time."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from versterking.calendar import dutch_date
from versterking.cli import main
from versterking.domain import LAYERS, MILESTONES, RESOURCES
from versterking.inputs.package_data import published
from versterking.outputs import figures
from versterking.outputs.figures import FIGURES, draw_all


@pytest.fixture(params=[1, 4], ids=["single", "replications"])
def folder(small, tmp_path, request):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", str(small), "--replications", str(request.param),
                                       "--workers", "1", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_every_figure_is_drawn_as_png_and_svg_at_a4_width(folder, tmp_path):
    paths = draw_all(folder, tmp_path / "fig", "klein")
    drawn = sorted(set(FIGURES) - {"decompositie"})  # only with uncertain parameters (below)
    assert sorted({p.stem for p in paths}) == drawn
    for stem in drawn:
        png = mpimg.imread(tmp_path / "fig" / f"{stem}.png")
        assert png.shape[1] == pytest.approx(8.3 * 150, abs=2)  # A4 width at 150 dpi
        assert png[..., :3].std() > 0.05  # not blank
        assert (tmp_path / "fig" / f"{stem}.svg").read_text().count("<svg") == 1


def test_drawing_twice_gives_the_same_svg(folder, tmp_path):
    draw_all(folder, tmp_path / "a", "klein")
    draw_all(folder, tmp_path / "b", "klein")
    for stem in set(FIGURES) - {"decompositie"}:
        assert (tmp_path / "a" / f"{stem}.svg").read_bytes() == (tmp_path / "b" / f"{stem}.svg").read_bytes()


# -- what each figure plots equals the table it draws (read from the results folder's CSVs) -------


@pytest.fixture
def drawn(folder, tmp_path, monkeypatch):
    """Draw every figure, keeping each open (matplotlib.pyplot.close is held back) to read its data."""
    kept = {}
    monkeypatch.setattr(figures.plt, "close", lambda fig: kept.setdefault(len(kept), fig))
    names = ["dashboard", "dashboard_groningen", "voltooiing", "knelpunten", "wisselwoningen",
             "doorlooptijden"]
    draw_all(folder, tmp_path / "fig", "klein")
    out = dict(zip([*names, "waaier"], kept.values(), strict=True))
    monkeypatch.undo()
    yield folder, out
    for fig in out.values():
        figures.plt.close(fig)


def _band(poly) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A filled area's x, lower and upper edge (from its outline)."""
    v = poly.get_paths()[0].vertices
    xs = np.unique(v[:, 0])
    lower = np.array([v[v[:, 0] == x, 1].min() for x in xs])
    return xs, lower, np.array([v[v[:, 0] == x, 1].max() for x in xs])


def _table(folder, name):
    """A CSV of the folder; a single run's values stand for every statistic."""
    df = pd.read_csv(folder / name)
    if "peildatum" in df.columns:
        df["peildatum"] = mdates.date2num(pd.to_datetime(df["peildatum"]))
    if "statistiek" not in df.columns:
        df = pd.concat([df.assign(statistiek=s) for s in ("gemiddeld", "P10", "P50", "P90")])
    return df


def _x(line) -> np.ndarray:
    x = np.asarray(line.get_xdata())
    return mdates.date2num(x) if np.issubdtype(x.dtype, np.datetime64) else x.astype(float)


def the_dashboard_stacks_the_mean_milestones(folder, figs):
    m = _table(folder, "milestones_quarterly.csv")
    mean = m[m["statistiek"] == "gemiddeld"]
    groups = [("totaal", "totaal")] + [("risicoprofiel", p) for p in ("P50", "P90", "grijs")]
    for ax, (level, group) in zip(figs["dashboard"].axes, groups, strict=True):
        g = mean[(mean["niveau"] == level) & (mean["groep"] == group)].sort_values("peildatum")
        layers = [c for c in ax.collections if len(c.get_paths())]
        assert len(layers) == len(LAYERS)  # voltooid in its two parts
        top = np.zeros(len(g))
        for layer, k in zip(layers, LAYERS, strict=True):
            x, lower, upper = _band(layer)
            np.testing.assert_allclose(x, g["peildatum"])
            np.testing.assert_allclose(lower, top, atol=1e-6)
            top = top + g[k].to_numpy()
            np.testing.assert_allclose(upper, top, atol=1e-6)
        np.testing.assert_allclose(top, g["totaal"], rtol=1e-9)


def the_fan_draws_p50_and_the_p10_p90_band_of_voltooid(folder, figs):
    m = _table(folder, "milestones_quarterly.csv")
    t = m[m["niveau"] == "totaal"].pivot_table(index="peildatum", columns="statistiek", values="voltooid")
    ax = figs["waaier"].axes[0]
    line = next(line for line in ax.lines if "P50" in line.get_label())
    np.testing.assert_allclose(line.get_ydata(), t["P50"])
    x, lower, upper = _band(ax.collections[0])
    np.testing.assert_allclose(x, t.index)
    np.testing.assert_allclose(lower, t["P10"])
    np.testing.assert_allclose(upper, t["P90"])
    ends = _table(folder, "end_dates.csv").set_index(["groep", "statistiek"])["100% voltooid"]
    assert dutch_date(ends[("totaal", "P50")]) in line.get_label()


def voltooiing_draws_the_p50_share_per_group(folder, figs):
    m = _table(folder, "milestones_quarterly.csv")
    p50 = m[m["statistiek"] == "P50"]
    for ax in figs["voltooiing"].axes:
        for line in ax.lines:
            g = p50[p50["groep"] == line.get_label()]
            np.testing.assert_allclose(line.get_ydata(), 100 * g["voltooid"] / g["totaal"])
            np.testing.assert_allclose(_x(line), g["peildatum"])
    assert {line.get_label() for line in figs["voltooiing"].axes[1].lines} == set(
        p50.loc[p50["niveau"].isin(["gemeente", "totaal"]), "groep"])


def knelpunten_shows_the_p50_bezetting_and_wachtrij(folder, figs):
    r = _table(folder, "resources_quarterly.csv")
    p50 = r[r["statistiek"] == "P50"]
    quarters = list(dict.fromkeys(p50["kwartaal"]))
    for ax, column in zip(figs["knelpunten"].axes[:2], ("bezetting", "wachtrij"), strict=True):
        grid = p50.pivot_table(index="middel", columns="kwartaal", values=column).reindex(
            index=list(RESOURCES), columns=quarters).to_numpy(float)
        expected = np.log10(1 + grid) if column == "wachtrij" else grid
        np.testing.assert_allclose(np.ma.filled(ax.images[0].get_array(), np.nan), expected)


def wisselwoningen_draws_supply_and_demand(folder, figs):
    r = _table(folder, "resources_quarterly.csv")
    w = r[(r["middel"] == "wisselwoningen") & (r["statistiek"] == "P50")]
    supply, demand = figs["wisselwoningen"].axes[0].lines[:2]
    np.testing.assert_allclose(supply.get_ydata(), w["capaciteit"])
    np.testing.assert_allclose(demand.get_ydata(), w["in gebruik"] + w["wachtrij"])


def doorlooptijden_draws_the_step_durations(folder, figs):
    d = _table(folder, "step_durations.csv")
    d = d[(d["statistiek"] == "P50") & (d["adressen"] > 0)]
    ax = figs["doorlooptijden"].axes[0]
    segments = np.array(ax.collections[0].get_segments())  # one per row, from the top
    np.testing.assert_allclose(segments[:, 0, 0], d["P10"])
    np.testing.assert_allclose(segments[:, 1, 0], d["P90"])
    np.testing.assert_allclose(ax.lines[0].get_xdata(), d["P50"])
    np.testing.assert_allclose(ax.lines[1].get_xdata(), d["gemiddeld"])


def dashboard_groningen_draws_the_published_quarters_and_the_forecast(folder, figs):
    history = pd.read_csv(published("dashboard_groningen.csv"))
    history = history.pivot_table(index="date", columns="milestone", values="addresses").reindex(
        columns=MILESTONES).fillna(0)
    m = _table(folder, "milestones_quarterly.csv")
    forecast = m[(m["statistiek"] == "gemiddeld") & (m["groep"] == "Groningen")].sort_values("peildatum")
    forecast = forecast[list(MILESTONES)].iloc[:21]
    bars = figs["dashboard_groningen"].axes[0].containers  # one per frame and milestone
    heights = [np.array([b.get_height() for b in bars[i]]) for i in range(len(bars))]
    for f, frame in enumerate((history, forecast)):
        for k, name in enumerate(MILESTONES):
            np.testing.assert_allclose(heights[f * len(MILESTONES) + k], frame[name].to_numpy())


def test_each_figure_plots_the_table_it_draws(drawn):
    folder, figs = drawn
    the_dashboard_stacks_the_mean_milestones(folder, figs)
    the_fan_draws_p50_and_the_p10_p90_band_of_voltooid(folder, figs)
    voltooiing_draws_the_p50_share_per_group(folder, figs)
    knelpunten_shows_the_p50_bezetting_and_wachtrij(folder, figs)
    wisselwoningen_draws_supply_and_demand(folder, figs)
    doorlooptijden_draws_the_step_durations(folder, figs)
    dashboard_groningen_draws_the_published_quarters_and_the_forecast(folder, figs)


def test_the_decomposition_figure_stacks_the_shares_of_decompositie_csv(small, tmp_path, monkeypatch):
    path = small.parent / "onzeker.toml"
    path.write_text('extends = "base.toml"\nname = "onzeker"\n[resources.bouwcapaciteit]\n'
                    'capacity = { uncertain = "triangular", low = 2, mode = 4, high = 8, name = "bouwers" }\n'
                    '[resources.wisselwoningen]\ncapacity = { uncertain = "uniform", low = 1, high = 4 }\n',
                    encoding="utf-8")
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", str(path), "--replications", "20", "--workers", "1",
                                       "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    kept = []
    monkeypatch.setattr(figures.plt, "close", kept.append)
    paths = figures.decomposition(out, tmp_path)
    assert [p.name for p in paths] == ["decompositie.png", "decompositie.svg"]
    table = pd.read_csv(out / "decompositie.csv")
    outputs = list(dict.fromkeys(table["maatstaf"]))
    ax = kept[0].axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == outputs
    by_label = {c.get_label(): [bar.get_width() for bar in c] for c in ax.containers}
    # the estimates may add up to more than 1: such a bar is scaled to 1 and its raw sum written beside it
    clipped = table.assign(aandeel=table["aandeel"].clip(lower=0))
    raw = clipped.groupby("maatstaf")["aandeel"].sum().loc[outputs]
    scale = np.maximum(raw.to_numpy(), 1.0)
    for source in ("bouwers", "resources.wisselwoningen.capacity", "ruis en wisselwerking"):
        expected = table[table["bron"] == source].set_index("maatstaf").loc[outputs, "aandeel"].clip(lower=0)
        np.testing.assert_allclose(by_label[source], expected.to_numpy() / scale, atol=1e-4)
    ends = np.sum([widths for widths in by_label.values()], axis=0)
    assert (ends <= 1 + 1e-9).all()
    sums = [t.get_text() for t in ax.texts]
    assert sums == [f"som {x:.2f}".replace(".", ",") for x in raw if x > 1.0]
