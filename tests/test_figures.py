"""Figures: drawn from a results folder (replicated or single), as PNG and SVG, the same every time."""

from __future__ import annotations

import matplotlib.image as mpimg
import pytest
from click.testing import CliRunner

from versterking.cli import main
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
    assert sorted({p.stem for p in paths}) == sorted(FIGURES)
    for stem in FIGURES:
        png = mpimg.imread(tmp_path / "fig" / f"{stem}.png")
        assert png.shape[1] == pytest.approx(8.3 * 150, abs=2)  # A4 width at 150 dpi
        assert png[..., :3].std() > 0.05  # not blank
        assert (tmp_path / "fig" / f"{stem}.svg").read_text().count("<svg") == 1


def test_drawing_twice_gives_the_same_svg(folder, tmp_path):
    draw_all(folder, tmp_path / "a", "klein")
    draw_all(folder, tmp_path / "b", "klein")
    for stem in FIGURES:
        assert (tmp_path / "a" / f"{stem}.svg").read_bytes() == (tmp_path / "b" / f"{stem}.svg").read_bytes()
