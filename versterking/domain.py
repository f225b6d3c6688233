"""The vocabulary of the versterkingsopgave, shared by every layer: risk profiles and owners, the
dashboard's milestones, the steps of work and the resources that do them, the routes a beoordeling can
take, and what a forecast can aim at.

The engine lays out its arrays by these tuples (column k of `reached` is MILESTONES[k], column s of
`started` is STEPS[s]), so their order is fixed: append, never reorder.
"""

from __future__ import annotations

from dataclasses import dataclass

PROFILES = ("P50", "P90", "grijs")  # HRA risk profiles, most urgent first (docs/background/domain.md)
OWNERS = ("particulier", "corporatie")
TOTAAL = "totaal"  # the whole opgave, as a group next to the risk profiles and gemeenten
# Those whose owner takes part (shares.niet_deelnemend): where some do not, 100% is never reached.
DEELNEMERS = "deelnemers"
# An address of the werkvoorraad: its columns in the address file and in every population table.
# The last ones are optional in an address file (empty: not known): docs/how-to/address-file.md.
ADDRESS_COLUMNS = ("address_id", "gemeente", "risk_profile", "owner_type", "building_id", "cluster_id",
                   "milestone", "milestone_date", "planvorming_substep",
                   "lpa_jaar", "batch", "corporatie", "ernst", "schrijnend")
OPTIONAL_COLUMNS = ADDRESS_COLUMNS[-5:]
ERNST = (1, 2, 3)  # the severity of the measures a versterkingsadvies asks: licht, middel, zwaar

# The dashboard's milestones (seed 001): an address counts in the last one it reached.
MILESTONES = ("nog niet gestart", "opname", "beoordeling", "planvorming", "uitvoering", "voltooid")
NOG_NIET_GESTART, OPNAME, BEOORDELING, PLANVORMING, UITVOERING, VOLTOOID = range(6)
# voltooid in its two parts, which differ in cost and in what a resident goes through: uitvoering gereed,
# or judged to meet the norm (or no beoordeling needed); voltooid is their sum
VERSTERKT, VOLDOET = "versterkt", "voldoet aan de norm"
# A per-gemeente figure that rests on an assumed split of the addresses over the gemeenten is marked so.
ILLUSTRATIEF = "illustratief"
AHEAD = MILESTONES[1:]  # the milestones an address can still reach once it is in the opgave
# The sub-steps of planvorming, as an address file names them.
SUBSTEPS = ("voorbereiden", "uitvoeringsplan opstellen", "versterkingsbesluit")
# SodM 2020 tabel 2.1's columns: addresses that reached each milestone, cumulative.
CUMULATIVE = ("werkvoorraad", "opname gereed", "beoordeling gereed", "planvorming gestart",
              "uitvoering gereed")

# The steps of work, in order: what a resource's slot is held for (the event log's `stap`).
STEPS = ("opname", "beoordeling", "planvorming_voorbereiden", "uitvoeringsplan_opstellen",
         "versterkingsbesluit", "uitvoering")
S_OPNAME, S_BEOORDELING, S_VOORBEREIDEN, S_UITVOERINGSPLAN, S_BESLUIT, S_UITVOERING = range(6)
PLANVORMING_STEPS = (S_VOORBEREIDEN, S_UITVOERINGSPLAN, S_BESLUIT)  # one planvorming slot for all three
# The phases whose end a forecast reports: a phase is finished when its last address is through it.
PHASES = ("opname", "beoordeling", "planvorming", "uitvoering")

RESOURCES = ("opnamecapaciteit", "ingenieursbureaus", "planvorming", "bouwcapaciteit", "wisselwoningen")
# What a resource's capacity may be divided by (a verdeelsleutel): columns of the address table.
SPLIT_BY = ("gemeente", "owner_type")
STEP_RESOURCE = ("opnamecapaciteit", "ingenieursbureaus", "planvorming", "planvorming", "planvorming",
                 "bouwcapaciteit")  # who does each step (on the usual route)
# The steps one slot of a resource is held for; a wisselwoning is held through the uitvoering.
SLOT_STEPS = {r: tuple(STEPS[s] for s, x in enumerate(STEP_RESOURCE) if x == r) for r in RESOURCES[:-1]} \
    | {"wisselwoningen": (STEPS[S_UITVOERING],)}

# What the waiting lines compare, in the order a scenario lists them (engine.rules): the risk profile,
# the local plans (LPA2019, LPA2020, then the addresses in no plan), and the agreed prioritisation in the
# uitvoering (SodM 2020 par. 3.8): I most severe measures, II longest waiting, III hardship cases
# (schrijnend), IV logical clusters (treintjes). The two named orders of earlier versions stand for lists.
ORDER_CRITERIA = ("risk", "lpa", "severity", "waiting", "hardship", "cluster")
NAMED_ORDERS = {"risk_first": ("risk", "waiting"), "fifo": ("waiting",)}

# How a beoordeling is done: by an ingenieursbureau in full, or by a route a measure opens.
ROUTES = ("klassiek", "typologie", "praktijkaanpak", "referentiewoning", "herbeoordeling")
KLASSIEK, TYPOLOGIE, PRAKTIJKAANPAK, REFERENTIEWONING, HERBEOORDELING = range(5)
# Which measure took an address out of the planvorming line, straight to execution.
HANDED_OVER_BY = ("", "bouwimpuls", "batch_1581")
BOUWIMPULS, BATCH_1581 = 1, 2


@dataclass(frozen=True)
class Completion:
    """A share of a group of addresses voltooid: what terug redeneren and the sensitivity aim at."""

    group: str    # TOTAAL, DEELNEMERS or a risk profile
    percent: int

    @property
    def metric(self) -> str:
        """Its name among a replication's metrics (and in per_replicatie.csv)."""
        if self.group == DEELNEMERS:
            return f"{self.percent}% deelnemers voltooid"
        return f"{self.percent}% voltooid" + ("" if self.group == TOTAAL else f" {self.group}")

    @property
    def label(self) -> str:
        if self.group == DEELNEMERS:
            return f"{self.percent}% van wie meedoet voltooid"
        return f"{self.percent}% voltooid" if self.group == TOTAAL else f"alle {self.group}-adressen voltooid"


# --milestone: 100% or 95% of all addresses voltooid, all whose owner takes part, or every address of
# one risk profile
COMPLETIONS = {"100%": Completion(TOTAAL, 100), "95%": Completion(TOTAAL, 95),
               DEELNEMERS: Completion(DEELNEMERS, 100),
               **{p: Completion(p, 100) for p in PROFILES}}

# how the figures and the web app draw them: the dashboard's colours, its stack (voltooid in its two
# parts) and the resources' short names
COLORS = dict(zip(MILESTONES, ["#bdbdbd", "#9ecae1", "#4292c6", "#fdae6b", "#e6550d", "#31a354"],
                  strict=True)) | {VERSTERKT: "#31a354", VOLDOET: "#a1d99b"}
LAYERS = (*MILESTONES[:-1], VERSTERKT, VOLDOET)  # the dashboard's stack: voltooid in its two parts
RESOURCE_NAMES = {"opnamecapaciteit": "opname", "ingenieursbureaus": "ingenieursbureaus",
                  "planvorming": "planvorming", "bouwcapaciteit": "bouwcapaciteit",
                  "wisselwoningen": "wisselwoningen"}
