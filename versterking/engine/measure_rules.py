"""What the versnellingsmaatregelen decide on a day: which routes of the beoordeling are open, which
norm judges a beoordeling, and the factors its outcome puts on the planvorming and the uitvoering.

The simulation asks these per address (versterking.engine.model and .measures), the flow model per
class of addresses (versterking.engine.flow): written once, so `run --preview` and `run` cannot
follow different rules. Plain functions of the scenario and the day; no draws (those stay with the
simulation's measures).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from ..calendar import days_since
from ..domain import HERBEOORDELING, PRAKTIJKAANPAK, PROFILES, TYPOLOGIE
from ..inputs import measures as spec
from ..inputs.blocks import ProfileShares
from ..inputs.counts import apportion
from ..inputs.scenario import Scenario

NEVER = math.inf  # the day a measure that is off starts


@dataclass(frozen=True)
class MeasureRules:
    """The measures a scenario switches on (None: off), and the days (since its start) they start."""

    meets_norm: ProfileShares  # the scenario's own shares: no measure judges
    typologie: spec.Typologie | None
    praktijkaanpak: spec.Praktijkaanpak | None
    referentiewoningen: spec.Referentiewoningen | None
    npr_2020: spec.NprUpdate | None
    batch_1581: spec.Batch1581 | None
    typologie_from: float = NEVER
    pilot_from: float = NEVER
    scale_from: float = NEVER
    referentiewoningen_from: float = NEVER
    npr_from: float = NEVER
    # the scenario's own norm after the start, in date order (the NPR's among them), and their days
    later_norms: tuple[ProfileShares, ...] = ()
    norm_days: tuple[float, ...] = ()

    def typologie_in_use(self, now: float) -> bool:
        """For a beoordeling that starts now; work under way on the peildatum stays klassiek."""
        return now > 0 and now >= self.typologie_from

    def pilot_open(self, now: float) -> bool:
        """The praktijkaanpak's pilot takes the first addresses that join the beoordeling line."""
        return now >= self.pilot_from

    def scaled_up(self, now: float) -> bool:
        """The praktijkaanpak takes its share of every address that joins the beoordeling line."""
        return now >= self.scale_from

    def referentiewoningen_in_use(self, now: float) -> bool:
        return now >= self.referentiewoningen_from

    def npr_in_force(self, now: float) -> bool:
        """For a beoordeling that ends now."""
        return now >= self.npr_from

    def norm(self, route: int, now: float) -> ProfileShares:
        """The meets-norm shares of a beoordeling by `route` that ends now: the route's own
        (typologie, praktijkaanpak, batch 1581's reassessment), else the last of the scenario's later
        norms and the NPR's that is in force, else the scenario's."""
        own = (self.typologie if route == TYPOLOGIE else self.praktijkaanpak if route == PRAKTIJKAANPAK
               else self.batch_1581 if route == HERBEOORDELING else None)
        if own is not None:
            return own.meets_norm
        k = bisect_right(self.norm_days, now)
        return self.later_norms[k - 1] if k else self.meets_norm

    def factors(self, route: int, now: float) -> tuple[float, float]:
        """(uitvoering, planvorming) factors on the durations of an address whose beoordeling by
        `route` ends now and does not meet the norm: batch 1581's reassessment has its own; else the
        NPR's lighter measures once in force, times the typologie's standard measures."""
        if route == HERBEOORDELING:
            return self.batch_1581.uitvoering_factor, 1.0
        uitvoering = self.npr_2020.uitvoering_factor if self.npr_in_force(now) else 1.0
        if route == TYPOLOGIE:
            return uitvoering * self.typologie.uitvoering_factor, self.typologie.planvorming_factor
        return uitvoering, 1.0


def measure_rules(sc: Scenario) -> MeasureRules:
    m = sc.measures
    typ, prak = m.get("typologie"), m.get("praktijkaanpak")
    ref, npr = m.get("referentiewoningen"), m.get("npr_2020")

    def day(block, attr: str = "from_") -> float:
        return days_since(sc.start, getattr(block, attr)) if block is not None else NEVER

    # the NPR's norm from its day; a change of the scenario's on or after that day replaces it
    later = [(day(npr), npr.meets_norm)] if npr is not None else []
    later = sorted(later + [(days_since(sc.start, c.from_), c) for c in sc.shares.meets_norm_changes],
                   key=lambda change: change[0])
    return MeasureRules(
        meets_norm=sc.shares.meets_norm, typologie=typ, praktijkaanpak=prak, referentiewoningen=ref,
        npr_2020=npr, batch_1581=m.get("batch_1581"),
        typologie_from=day(typ), pilot_from=day(prak, "pilot_from"), scale_from=day(prak, "scale_from"),
        referentiewoningen_from=day(ref), npr_from=day(npr),
        later_norms=tuple(shares for _, shares in later), norm_days=tuple(t for t, _ in later))


def tranche_mix(tranche: spec.Tranche) -> np.ndarray | None:
    """How many addresses of each risk profile a hand-over tranche takes (None: no mix is set, the
    longest waiting whatever their profile)."""
    if tranche.risk_profile is None:
        return None
    return apportion([tranche.risk_profile.get(p, 0.0) for p in PROFILES], tranche.addresses)
