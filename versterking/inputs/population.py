"""The starting werkvoorraad a scenario asks for: one row per address (domain.ADDRESS_COLUMNS), from
the embedded reconstruction, a user's address file, or none."""

from __future__ import annotations

import pandas as pd

from ..domain import ADDRESS_COLUMNS, RESOURCES
from ..errors import InputError
from .address_file import read_addresses
from .counts import added_later
from .embedded import embedded_stand, embedded_werkvoorraad, reconstruction_dates, werkvoorraad_from_stand
from .loader import LoadedScenario
from .stand import read_stand


def load_population(loaded: LoadedScenario) -> pd.DataFrame:
    """The starting werkvoorraad a scenario asks for, checked against the scenario's verdeelsleutels."""
    population = _population(loaded)
    check_splits(loaded, population)
    return population


def check_splits(loaded: LoadedScenario, population: pd.DataFrame) -> None:
    """A verdeelsleutel with its own shares names exactly the groups of the werkvoorraad: a group
    left out would never be served, a name that is not there is a typo."""
    for name in RESOURCES:
        split = getattr(loaded.scenario.resources, name).split
        if split is None or split.shares == "werkvoorraad" or population.empty:
            continue
        present = set(population[split.by].astype(str))
        missing, unknown = sorted(present - set(split.shares)), sorted(set(split.shares) - present)
        if missing or unknown:
            problem = (f"no share for {', '.join(missing)}" if missing
                       else f"{', '.join(unknown)} is not a {split.by} of the werkvoorraad")
            raise InputError(f"{loaded.path}: resources.{name}.split.shares: {problem}; allowed: one share "
                             f"for each of {', '.join(sorted(present))}")


def _population(loaded: LoadedScenario) -> pd.DataFrame:
    sc = loaded.scenario
    source = sc.population.source
    if source == "embedded":
        peildatum = sc.population.peildatum
        allowed = [*reconstruction_dates(), embedded_stand().datum]
        if peildatum is not None and peildatum not in allowed:
            raise InputError(f"{loaded.path}: population.peildatum: cannot reconstruct the opgave on "
                             f"{peildatum}; allowed: {', '.join(map(str, allowed))}")
        return embedded_werkvoorraad(peildatum, added_later(sc.inflow))
    if source == "stand":
        stand = read_stand(loaded.population_file, f"{loaded.path}: population.file")
        if stand.datum != sc.start:
            raise InputError(f"{loaded.path}: start: {sc.start} is not the stand's date; allowed: "
                             f"{stand.datum} (datum in {loaded.population_file.name})")
        return werkvoorraad_from_stand(stand)
    if source == "empty":
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ADDRESS_COLUMNS})
    return read_addresses(loaded.population_file, loaded.scenario.start)
