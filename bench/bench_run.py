"""Benchmark: one replication of the full opgave, the bare-SimPy floor, and scaling to x3 and x10.

    python bench/bench_run.py            # prints a table; each case runs in a fresh process

Figures are printed, not asserted: targets (issue 2: the full opgave "in seconds" on one core;
10x larger opgaven about linear) are judged by reading them.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def scaled(factor: int):
    """The basis scenario and werkvoorraad copied `factor` times (capacities scaled alike)."""
    import pandas as pd

    from sim import load_population, load_scenario

    loaded = load_scenario(ROOT / "scenarios" / "basis.toml")
    sc = loaded.scenario
    pop = load_population(loaded)
    if factor > 1:
        copies = []
        for k in range(factor):
            c = pop.copy()
            for col in ("address_id", "building_id", "cluster_id"):
                c[col] = c[col] + f"-{k}"
            copies.append(c)
        pop = pd.concat(copies, ignore_index=True)
        res = sc.resources.model_copy(update={
            name: getattr(sc.resources, name).model_copy(
                update={"capacity": getattr(sc.resources, name).capacity * factor})
            for name in type(sc.resources).model_fields})
        sc = sc.model_copy(update={"resources": res})
    return sc, pop


def case_model(factor: int) -> dict:
    from sim.model import Model

    t0 = time.perf_counter()
    sc, pop = scaled(factor)
    t1 = time.perf_counter()
    import gc

    gc.disable()
    model = Model(sc, pop)
    t2 = time.perf_counter()
    result = model.run()
    t3 = time.perf_counter()
    events = next(model.env._eid)  # SimPy's event counter (private; fine for a benchmark)
    return {"addresses": len(result.addresses), "population_s": t1 - t0, "build_s": t2 - t1,
            "run_s": t3 - t2, "events": events}


def case_bare(factor: int) -> dict:
    """The floor: the same addresses through four plain simpy.Resource steps, same mean durations
    and capacities, no priorities, monitoring, logging or wisselwoningen."""
    import gc

    import numpy as np
    import simpy

    from sim.distributions import mean_of

    sc, pop = scaled(factor)
    t1 = time.perf_counter()
    gc.disable()
    env = simpy.Environment()
    r = sc.resources
    steps = [
        (simpy.Resource(env, int(r.opnamecapaciteit.capacity)), mean_of(sc.durations.opname)),
        (simpy.Resource(env, int(r.ingenieursbureaus.capacity)), mean_of(sc.durations.beoordeling)),
        (simpy.Resource(env, int(r.planvorming.capacity)),
         sum(mean_of(getattr(sc.durations, s)) for s in
             ("planvorming_voorbereiden", "uitvoeringsplan_opstellen", "versterkingsbesluit"))),
        (simpy.Resource(env, int(r.bouwcapaciteit.capacity)), mean_of(sc.durations.uitvoering)),
    ]
    first = pop["milestone"].map({"nog niet gestart": 0, "opname": 1, "beoordeling": 2,
                                  "planvorming": 2, "uitvoering": 3, "voltooid": 4}).to_numpy()
    rng = np.random.default_rng(1)
    draws = rng.exponential(1.0, (len(pop), 4))

    def life(a):
        for s in range(first[a], 4):
            res, mean = steps[s]
            with res.request() as req:
                yield req
                yield env.timeout(mean * draws[a, s])

    for a in range(len(pop)):
        env.process(life(a))
    t2 = time.perf_counter()
    env.run()
    t3 = time.perf_counter()
    return {"addresses": len(pop), "build_s": t2 - t1, "run_s": t3 - t2, "events": next(env._eid)}


def main() -> None:
    if len(sys.argv) == 3:  # child: one case, print JSON with peak memory
        kind, factor = sys.argv[1], int(sys.argv[2])
        out = (case_model if kind == "model" else case_bare)(factor)
        out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(out))
        return
    rows = []
    for kind, factor in [("model", 1), ("bare", 1), ("model", 3), ("model", 10), ("bare", 10)]:
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, __file__, kind, str(factor)], capture_output=True,
                              text=True, check=True)
        out = json.loads(proc.stdout)
        out |= {"kind": kind, "factor": factor, "process_s": time.perf_counter() - t}
        rows.append(out)
    print(f"{'case':<10}{'addresses':>10}{'build s':>9}{'run s':>8}{'events':>10}{'ev/s':>10}"
          f"{'us/addr':>9}{'peak MB':>9}{'process s':>10}")
    for o in rows:
        sim_s = o["build_s"] + o["run_s"]
        print(f"{o['kind'] + ' x' + str(o['factor']):<10}{o['addresses']:>10,}{o['build_s']:>9.2f}"
              f"{o['run_s']:>8.2f}{o['events']:>10,}{o['events'] / o['run_s']:>10,.0f}"
              f"{1e6 * sim_s / o['addresses']:>9.1f}{o['peak_mb']:>9.0f}{o['process_s']:>10.2f}")
    m1, b1 = rows[0], rows[1]
    ratio = (m1["build_s"] + m1["run_s"]) / (b1["build_s"] + b1["run_s"])
    per = [(o["build_s"] + o["run_s"]) / o["addresses"] for o in rows if o["kind"] == "model"]
    print(f"\nmodel / bare SimPy floor (x1, build + run): {ratio:.2f}")
    print(f"time per address x3 / x1: {per[1] / per[0]:.2f}; x10 / x1: {per[2] / per[0]:.2f} "
          "(1.0 = linear)")


if __name__ == "__main__":
    main()
