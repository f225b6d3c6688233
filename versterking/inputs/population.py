"""The starting werkvoorraad a scenario asks for: one row per address (domain.ADDRESS_COLUMNS), from
the embedded reconstruction, a user's address file, or none."""

from __future__ import annotations

import pandas as pd

from ..domain import ADDRESS_COLUMNS
from ..errors import InputError
from .address_file import read_addresses
from .counts import added_later
from .embedded import embedded_data, embedded_werkvoorraad, reconstruction_dates
from .loader import LoadedScenario


def load_population(loaded: LoadedScenario) -> pd.DataFrame:
    """The starting werkvoorraad a scenario asks for."""
    sc = loaded.scenario
    source = sc.population.source
    if source == "embedded":
        peildatum = sc.population.peildatum
        allowed = [*reconstruction_dates(), embedded_data()["peildatum"]]
        if peildatum is not None and peildatum not in allowed:
            raise InputError(f"{loaded.path}: population.peildatum: cannot reconstruct the opgave on "
                             f"{peildatum}; allowed: {', '.join(map(str, allowed))}")
        return embedded_werkvoorraad(peildatum, added_later(sc.inflow))
    if source == "empty":
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ADDRESS_COLUMNS})
    return read_addresses(loaded.population_file, loaded.scenario.start)
