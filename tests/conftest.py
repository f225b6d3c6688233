"""Small scenarios written into a temporary folder, so every test runs in well under a second."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from versterking import load_population, load_scenario, run_scenario

BASE = """\
name = "klein"
seed = 7
start = 2020-07-17
horizon = 2060-12-31
service_order = "risk_first"

[population]
source = "file"
file = "adressen.csv"

[resources.opnamecapaciteit]
capacity = 3
[resources.ingenieursbureaus]
capacity = 4
[resources.planvorming]
capacity = 5
[resources.bouwcapaciteit]
capacity = [{ from = 2020-07-17, value = 4 }, { from = 2021-06-01, value = 1 },
            { from = 2022-01-01, to = 2022-12-31, value = 6 }]
[resources.wisselwoningen]
capacity = 2

[durations]
opname = { dist = "exponential", mean = 20 }
beoordeling = { dist = "lognormal", mean = 60, sd = 30 }
planvorming_voorbereiden = { dist = "gamma", mean = 30, sd = 10 }
uitvoeringsplan_opstellen = { dist = "triangular", low = 10, mode = 20, high = 60 }
versterkingsbesluit = { dist = "empirical", values = [5, 10, 30], weights = [1, 2, 1] }
uitvoering = { dist = "fixed", value = 90 }

[shares]
skip_beoordeling = { P50 = 0.0, P90 = 0.0, grijs = 0.2 }
meets_norm = { P50 = 0.1, P90 = 0.1, grijs = 0.3 }
wisselwoning = { particulier = 0.3, corporatie = 0.6 }
"""


def address_table(n: int = 80, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    milestones = ["nog niet gestart", "opname", "beoordeling", "planvorming", "uitvoering", "voltooid"]
    m = rng.choice(milestones, n, p=[0.4, 0.2, 0.15, 0.1, 0.05, 0.1])
    days = rng.integers(0, 900, n)
    return pd.DataFrame({
        "address_id": [f"T{i:04d}" for i in range(n)],
        "gemeente": rng.choice(["Groningen", "Loppersum"], n),
        "risk_profile": rng.choice(["P50", "P90", "grijs"], n),
        "owner_type": rng.choice(["particulier", "corporatie"], n),
        "building_id": [f"B{i // 2:04d}" for i in range(n)],
        "cluster_id": [f"C{i // 10:03d}" for i in range(n)],
        "milestone": m,
        "milestone_date": [str(np.datetime64("2020-07-17") - np.timedelta64(int(d), "D")) for d in days],
        "planvorming_substep": ["uitvoeringsplan opstellen" if x == "planvorming" else "" for x in m],
    })


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A base scenario (base.toml) and its address file; returns the scenario path."""
    (tmp_path / "base.toml").write_text(BASE, encoding="utf-8")
    address_table().to_csv(tmp_path / "adressen.csv", index=False)
    return tmp_path / "base.toml"


# every versnellingsmaatregel, sized for the small scenario (a block a test file extends it with)
ALL_MEASURES = """
[measures.typologie]
from = 2021-01-01
share = { P50 = 0.5, P90 = 0.5, grijs = 0.5 }
duration = { dist = "fixed", value = 3 }
meets_norm = { P50 = 0.0, P90 = 0.0, grijs = 0.0 }

[measures.praktijkaanpak]
pilot_from = 2020-07-17
pilot_addresses = 10
scale_from = 2021-06-01
share = { P50 = 0.5, P90 = 0.5, grijs = 0.5 }
duration = { dist = "fixed", value = 7 }
meets_norm = { P50 = 0.0, P90 = 0.0, grijs = 0.0 }

[measures.referentiewoningen]
from = 2020-07-17
share = 1.0
duration = { dist = "fixed", value = 2 }

[measures.bouwimpuls]
capacity = [{ from = 2021-01-01, value = 3 }]
tranches = [{ from = 2021-01-01, addresses = 5 }]
preparation = { dist = "fixed", value = 11 }

[measures.batch_1581]
tranche = { from = 2021-03-01, addresses = 6, risk_profile = { P90 = 0.5, grijs = 0.5 } }
preparation = { dist = "fixed", value = 13 }
reassess = 1.0
meets_norm = { P50 = 0.0, P90 = 0.0, grijs = 0.0 }
uitvoering_factor = 0.5

[measures.npr_2020]
from = 2021-01-01
meets_norm = { P50 = 1.0, P90 = 1.0, grijs = 1.0 }
uitvoering_factor = 0.8

[measures.opname_op_verzoek]
from = 2021-01-01
to = 2022-01-01
addresses = 30
risk_profile = { grijs = 1.0 }
skip_beoordeling = 1.0

[measures.crisisaanpak]
from = 2022-01-01
to = 2023-01-01
factors = { bouwcapaciteit = 10 }
"""


NO_ADDRESS = {"P50": 0.0, "P90": 0.0, "grijs": 0.0}  # a share per risk profile: none


@pytest.fixture
def queueing(tmp_path: Path) -> Path:
    """The queueing-theory configuration (tests/data/queueing.toml), copied where a test may write
    an address file next to it."""
    path = tmp_path / "queueing.toml"
    shutil.copy(Path(__file__).parent / "data" / "queueing.toml", path)
    return path


def variant(base: Path, name: str, text: str) -> Path:
    """A scenario that extends `base` with a few overrides."""
    path = base.parent / f"{name}.toml"
    path.write_text(f'extends = "{base.name}"\nname = "{name}"\n{text}', encoding="utf-8")
    return path


def invoke(*args, catch: bool = False):
    """The command line, as a user calls it (arguments as text)."""
    from click.testing import CliRunner

    from versterking.cli import main
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=catch)


def run(path: Path):
    loaded = load_scenario(path)
    return run_scenario(loaded.scenario, load_population(loaded))


def capacities(opname: int, ingenieursbureaus: int, planvorming: int, bouw: int, wissel: int) -> str:
    """TOML that sets every resource to a constant capacity."""
    values = {"opnamecapaciteit": opname, "ingenieursbureaus": ingenieursbureaus,
              "planvorming": planvorming, "bouwcapaciteit": bouw, "wisselwoningen": wissel}
    return "".join(f"[resources.{name}]\ncapacity = {v}\n" for name, v in values.items())


def pytest_collection_modifyitems(config, items):
    """With `pytest --no-cov`, pytest-cov 7.1 still pauses coverage for tests marked no_cover and
    fails on its missing controller: drop the mark when there is no coverage to pause."""
    if config.getoption("no_cov", default=False):
        for item in items:
            item.own_markers = [m for m in item.own_markers if m.name != "no_cover"]
            for parent in item.listchain():
                parent.own_markers = [m for m in parent.own_markers if m.name != "no_cover"]
