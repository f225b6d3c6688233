"""One random stream per source of randomness, pinned by name, so that replication i of every
scenario sees the same draws (common random numbers) and adding a stream never shifts another."""

from __future__ import annotations

import numpy as np

# Pinned: append new names at the end, never reorder.
STREAMS = (
    "opname", "beoordeling", "planvorming_voorbereiden", "uitvoeringsplan_opstellen",
    "versterkingsbesluit", "uitvoering", "skip_beoordeling", "meets_norm", "wisselwoning",
    "residual", "inflow", "typologie", "praktijkaanpak", "referentiewoningen", "voorbereiding",
    "herbeoordeling", "opname_op_verzoek", "parameters", "schrijnend",
    "judged_again", "opnieuw_beoordeeld", "herbeoordeling_op_verzoek", "niet_deelnemend",
)


def stream(seed: int, name: str, *sub: int) -> np.random.Generator:
    """The generator for stream `name` (and optional sub-stream, e.g. an inflow block)."""
    key = (STREAMS.index(name), *sub)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
