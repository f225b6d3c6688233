"""Benchmark: one replication of the full opgave, the bare-SimPy floor, scaling to x3 and x10,
replications per minute on one core and on all, and peak memory against the number of replications.

    python bench/bench_run.py            # everything (about 15 minutes on 2 cores)
    python bench/bench_run.py --quick    # fewer replications for the parallel and memory figures

Each case runs in a fresh process. Figures are printed next to their targets, not asserted: a timed
unit test would fail on a busy machine and pass on a fast one without telling anything.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def scaled(factor: int):
    """The basis scenario and werkvoorraad copied `factor` times (capacities scaled alike)."""
    import pandas as pd

    from versterking import load_population, load_scenario

    loaded = load_scenario("basis")
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
            name: getattr(sc.resources, name).model_copy(update={"factor": float(factor)})
            for name in type(sc.resources).model_fields})
        sc = sc.model_copy(update={"resources": res})
    return sc, pop


def case_model(factor: int) -> dict:
    from versterking.engine.run import build, simulate

    t0 = time.perf_counter()
    sc, pop = scaled(factor)
    t1 = time.perf_counter()
    import gc

    gc.disable()
    model = build(sc, pop)
    t2 = time.perf_counter()
    result = simulate(model)
    t3 = time.perf_counter()
    events = next(model.env._eid)  # SimPy's event counter (private; fine for a benchmark)
    return {"addresses": len(result.addresses), "population_s": t1 - t0, "build_s": t2 - t1,
            "run_s": t3 - t2, "events": events}


def case_bare(factor: int) -> dict:
    """The floor: the same addresses through four plain simpy.Resource steps, same mean durations
    and the capacities in force at the start, no priorities, schedules, monitoring, logging or
    wisselwoningen."""
    import gc

    import numpy as np
    import simpy

    from versterking.engine.distributions import mean_of

    sc, pop = scaled(factor)
    t1 = time.perf_counter()
    gc.disable()
    env = simpy.Environment()
    from versterking.engine.schedules import resource_changes

    def slots(name: str) -> int:  # the capacity in force on the start date
        return max(1, resource_changes(sc, name)[0][1])

    steps = [
        (simpy.Resource(env, slots("opnamecapaciteit")), mean_of(sc.durations.opname)),
        (simpy.Resource(env, slots("ingenieursbureaus")), mean_of(sc.durations.beoordeling)),
        (simpy.Resource(env, slots("planvorming")),
         sum(mean_of(getattr(sc.durations, s)) for s in
             ("planvorming_voorbereiden", "uitvoeringsplan_opstellen", "versterkingsbesluit"))),
        (simpy.Resource(env, slots("bouwcapaciteit")), mean_of(sc.durations.uitvoering)),
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


def case_replications(replications: int, workers: int) -> dict:
    """What `versterking run --replications` does per replication (run + its tables), on
    `workers` local processes."""
    from functools import partial

    from versterking import load_population, load_scenario
    from versterking.runs import spine
    from versterking.runs.summary import summarise

    loaded = load_scenario("basis")
    tasks = spine.replications(loaded.scenario, replications)
    t = time.perf_counter()
    for _ in spine.run(tasks, partial(summarise, detail=True), load_population(loaded), workers):
        pass
    return {"replications": replications, "workers": workers, "wall_s": time.perf_counter() - t}


def memory_of_run(replications: int) -> dict:
    """Peak memory of `versterking run basis --replications N`: the sum over its process tree
    (main process and workers), sampled every 0.1 s, and the main process alone."""
    import tempfile

    import psutil

    with tempfile.TemporaryDirectory() as tmp:
        versterking = Path(sys.executable).parent / "versterking"
        cmd = [str(versterking), "run", "basis", "--replications",
               str(replications), "--no-progress", "--out", str(Path(tmp) / "r")]
        t = time.perf_counter()
        proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        tree_peak = main_peak = 0
        while proc.poll() is None:
            try:
                main = proc.memory_info().rss
                tree = main + sum(c.memory_info().rss for c in proc.children(recursive=True))
            except psutil.Error:
                continue
            tree_peak, main_peak = max(tree_peak, tree), max(main_peak, main)
            time.sleep(0.1)
        if proc.returncode:
            raise SystemExit(proc.stderr.read().decode())
    return {"replications": replications, "wall_s": time.perf_counter() - t,
            "tree_mb": tree_peak / 2**20, "main_mb": main_peak / 2**20}


def child(args: list[str]) -> None:
    """One case in this fresh process: print JSON with its peak memory."""
    kind, n = args[0], int(args[1])
    if kind == "replications":
        out = case_replications(n, int(args[2]))
    else:
        out = (case_model if kind == "model" else case_bare)(n)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def fresh(*args) -> dict:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", *map(str, args)], capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout) | {"process_s": time.perf_counter() - t}


def check(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
        return
    quick = "--quick" in sys.argv
    from versterking.runs.backends import cores

    rows = []
    for kind, factor in [("model", 1), ("bare", 1), ("model", 3), ("model", 10), ("bare", 10)]:
        rows.append(fresh(kind, factor) | {"kind": kind, "factor": factor})
    print(f"{'case':<10}{'addresses':>10}{'build s':>9}{'run s':>8}{'events':>10}{'ev/s':>10}"
          f"{'us/addr':>9}{'peak MB':>9}{'process s':>10}")
    for o in rows:
        sim_s = o["build_s"] + o["run_s"]
        print(f"{o['kind'] + ' x' + str(o['factor']):<10}{o['addresses']:>10,}{o['build_s']:>9.2f}"
              f"{o['run_s']:>8.2f}{o['events']:>10,}{o['events'] / o['run_s']:>10,.0f}"
              f"{1e6 * sim_s / o['addresses']:>9.1f}{o['peak_mb']:>9.0f}{o['process_s']:>10.2f}")
    m1, b1 = rows[0], rows[1]
    one = m1["build_s"] + m1["run_s"]
    ratio = one / (b1["build_s"] + b1["run_s"])
    per = [(o["build_s"] + o["run_s"]) / o["addresses"] for o in rows if o["kind"] == "model"]

    n = cores()
    reps = 4 * n if quick else 10 * n
    serial = fresh("replications", reps // n, 1)
    parallel = fresh("replications", reps, n)
    rate1 = 60 * serial["replications"] / serial["wall_s"]
    rate_n = 60 * parallel["replications"] / parallel["wall_s"]
    efficiency = rate_n / (n * rate1)
    memory = [memory_of_run(r) for r in ((20, 100) if quick else (100, 1000))]
    growth = (memory[1]["tree_mb"] - memory[0]["tree_mb"]) / (memory[1]["replications"]
                                                              - memory[0]["replications"])

    print(f"\nreplications (run + tables, as `run --replications`): {rate1:.1f}/min on 1 core, "
          f"{rate_n:.1f}/min on {n} cores")
    for m in memory:
        print(f"versterking run basis --replications {m['replications']}: {m['wall_s']:.0f} s, peak "
              f"{m['tree_mb']:.0f} MB over all processes ({m['main_mb']:.0f} MB main process)")
    print(f"memory growth: {1024 * growth:.0f} kB per replication")
    thousand = memory[0]["tree_mb"] + growth * (1000 - memory[0]["replications"])
    print("\ntarget                                              measured    ")
    print(f"one replication of the full opgave < 1.5 s (1 core) {one:9.2f} s  {check(one < 1.5)}")
    print(f"model within 3x of the bare SimPy tandem            {ratio:9.2f} x  {check(ratio <= 3)}")
    print(f"parallel efficiency >= 85% on {n} cores               {100 * efficiency:9.0f} %  "
          f"{check(efficiency >= 0.85)}")
    print(f"time per address x10 within 1.3x of x1              {per[2] / per[0]:9.2f} x  "
          f"{check(per[2] / per[0] <= 1.3)}  (x3: {per[1] / per[0]:.2f})")
    print(f"peak memory < 1 GB for 1,000 replications           {thousand:9.0f} MB {check(thousand < 1024)}"
          + ("  (extrapolated from 20 and 100)" if quick else ""))


if __name__ == "__main__":
    main()
