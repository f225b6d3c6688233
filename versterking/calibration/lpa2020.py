"""SodM 2020 tabel 2.3 as a validation target of the forward scenarios: of the addresses of the local
plans 2020 (LPA2020) still to assess on the peildatum, how many NCG expected to have assessed by 30 Jun
2021 without and with the acceleration on the assessment side (2,836 and 5,731), per risk profile.

Which addresses LPA2020 holds is not published per address. SodM says the LPA2019 backlog is assessed
first (par. 2.1), so the LPA2020 addresses are taken as the most recently opgenomen (or joined) of those
not yet beoordeeld, per risk profile as many as tabel 2.3 counts; the others are LPA2019's rest.

Without acceleration is verwachting with the assessment-side measures (typologie, referentiewoningen,
praktijkaanpak) switched off, with it verwachting itself; both at the modes of their uncertain numbers,
for a few replications. This is a check of the pace and of those measures against NCG's own projection,
not a fit: nothing is tuned to it. It is printed by `versterking calibrate --check` and does not gate it.
"""

from __future__ import annotations

from datetime import date
from functools import partial

import numpy as np
import pandas as pd

from ..calendar import days_since, dutch_number
from ..domain import BEOORDELING, MILESTONES, PROFILES, S_BEOORDELING, TOTAAL
from ..engine.result import RunResult
from ..inputs.loader import load_scenario
from ..inputs.package_data import published
from ..inputs.population import load_population
from ..runs import spine

UNTIL = date(2021, 6, 30)
HORIZON = date(2021, 12, 31)  # the runs stop here: nothing after UNTIL counts
TOLERANCE = 0.10
ASSESSMENT_MEASURES = ("typologie", "referentiewoningen", "praktijkaanpak")
COLUMNS = ["versnelling", "risicoprofiel", "gepubliceerd", "gesimuleerd", "afwijking", "binnen 10%"]


def published_counts() -> pd.DataFrame:
    """Tabel 2.3: per versnelling (zonder, met) and risk profile, beoordeeld in LPA2020 and still to
    assess after it."""
    return pd.read_csv(published("tabel_2_3.csv"))


def lpa2020(population: pd.DataFrame, counts: dict[str, int]) -> np.ndarray:
    """Which addresses of the werkvoorraad LPA2020 holds: per risk profile the `counts[profile]` most
    recently entered of those not yet beoordeeld (the longest waiting are LPA2019's backlog)."""
    held = population["milestone"].map(MILESTONES.index).to_numpy()
    entered = pd.to_datetime(population["milestone_date"]).to_numpy()
    profile = population["risk_profile"].to_numpy()
    mask = np.zeros(len(population), bool)
    for p, n in counts.items():
        waiting = np.flatnonzero((held < BEOORDELING) & (profile == p))
        newest_first = waiting[np.argsort(entered[waiting], kind="stable")[::-1]]
        mask[newest_first[:n]] = True
    return mask


def assessed_by(r: RunResult, mask: np.ndarray, until: date) -> dict[str, int]:
    """Per risk profile, the addresses of `mask` whose (first) beoordeling ended by the end of `until`."""
    t = days_since(r.scenario.start, until) + 1
    n = r.stock
    first_end = np.where(np.isnan(r.first_beoordeling[:n, 2]), r.ended[:n, S_BEOORDELING],
                         r.first_beoordeling[:n, 2])
    done = mask[:n] & (first_end < t)
    profile = r.addresses["risk_profile"].to_numpy()[:n]
    return {p: int((done & (profile == p)).sum()) for p in PROFILES}


def validate(scenario: str = "verwachting", replications: int = 2, workers: int | None = None
             ) -> pd.DataFrame:
    """Simulated against published, per versnelling and risk profile (and totaal): the mean over the
    replications of the LPA2020 addresses beoordeeld by 30 Jun 2021."""
    loaded = load_scenario(scenario)
    population = load_population(loaded)
    table = published_counts().set_index(["versnelling", "risk_profile"])
    sc = loaded.scenario.model_copy(update={"horizon": HORIZON})
    variants = {}
    for versnelling in ("zonder", "met"):
        keep = set(sc.measures.active()) - (set(ASSESSMENT_MEASURES) if versnelling == "zonder" else set())
        variants[versnelling] = sc.model_copy(update={"measures": sc.measures.only(keep)})
    tasks = [rep for versnelling, variant in variants.items()
             for rep in spine.replications(variant, replications, at_mode=True, label=versnelling)]
    masks = {}
    for versnelling in variants:
        counts = {p: int(table.loc[(versnelling, p), "beoordeeld_in_lpa2020"]
                         + table.loc[(versnelling, p), "nog_te_beoordelen_na_lpa2020"]) for p in PROFILES}
        masks[versnelling] = lpa2020(population, counts)
    runs: dict[str, list[dict[str, int]]] = {versnelling: [] for versnelling in variants}
    for i, counted in spine.run(tasks, partial(_assessed, masks), population, workers):
        runs[tasks[i].label].append(counted)
    rows = []
    for versnelling in variants:
        for p in (*PROFILES, TOTAAL):
            simulated = float(np.mean([sum(r.values()) if p == TOTAAL else r[p] for r in runs[versnelling]]))
            published_value = int(table.loc[(versnelling, p), "beoordeeld_in_lpa2020"])
            error = simulated / published_value - 1
            rows.append((versnelling, p, published_value, simulated, error, abs(error) <= TOLERANCE))
    return pd.DataFrame(rows, columns=COLUMNS)


def _assessed(masks: dict[str, np.ndarray], r: RunResult, replication: spine.Replication) -> dict[str, int]:
    """A spine reducer: `assessed_by` for the variant's LPA2020 addresses."""
    return assessed_by(r, masks[replication.label], UNTIL)


def text(table: pd.DataFrame, replications: int) -> str:
    """The lines `calibrate --check` prints."""
    lines = [f"tabel 2.3, LPA2020 beoordeeld 17-07-2020 - {UNTIL:%d-%m-%Y} (verwachting op de modi, "
             f"{replications} replicaties; gesimuleerd / gepubliceerd; toetst niet):"]
    for versnelling, g in table.groupby("versnelling", sort=False):
        g = g.set_index("risicoprofiel")
        total = g.loc[TOTAAL]
        verdict = "binnen" if total["binnen 10%"] else "buiten"
        def pair(row) -> str:
            return f"{dutch_number(row['gesimuleerd'])} / {dutch_number(row['gepubliceerd'])}"

        parts = ", ".join(f"{p} {pair(g.loc[p])}" for p in PROFILES)
        lines.append(f"  {versnelling} versnelling: {pair(total)} "
                     f"({100 * total['afwijking']:+.0f}%, {verdict} 10%); {parts}")
    return "\n".join(lines)
