"""Benchmark: terug redeneren on basis, the README's question and one a growth-limited market can
meet. Prints runs, wall time and the verified share with its interval next to the earlier figures, not
asserted. (`versterking calibrate` is timed by bench_history.py.)

    python bench/bench_target.py          # about 5 minutes on 2 cores
    python bench/bench_target.py --quick  # the README question only
"""

from __future__ import annotations

import sys
import time
from datetime import date

BEFORE = {  # versterking 0.1.0 of 1 Dec 2026 (before the flow model), and of 3 Dec 2026
    "2026-12-31": "3,900 runs, 38 min, 80% on 40 fresh replications (one step of slots on 1 Jan 2021)",
    "2030-12-31": "198 runs, 3.3 - 4.1 min, 36 of 40 on fresh replications (search 20, margin and report 40)"}


def question(done_by: str) -> None:
    import versterking as vs

    loaded = vs.load_scenario("basis")
    began = time.perf_counter()
    q = vs.Question(date.fromisoformat(done_by), 0.9)
    answer = vs.seek(loaded, q)
    wall = time.perf_counter() - began
    met, n, low, high = answer.interval()
    flow = sum(e.model == "stroommodel" for e in answer.evaluations)
    verdict = "ONHAALBAAR, bindend: " + answer.binding if answer.plan is None else "plan per jaar"
    print(f"basis, 100% by {done_by} in 90%: {verdict}")
    print(f"  {answer.runs} simulation runs and {flow} flow-model evaluations, {wall / 60:.1f} min; "
          f"verified {met} of {n} ({met / n:.0%}, 95% interval {low:.0%} - {high:.0%})")
    if done_by in BEFORE:
        print(f"  before: {BEFORE[done_by]}; target: at most 400 runs and 3 min")


if __name__ == "__main__":
    question("2026-12-31")
    if "--quick" not in sys.argv:
        question("2030-12-31")
