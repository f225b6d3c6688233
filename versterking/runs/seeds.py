"""Seeds of replications: replication 0 runs with the root seed itself (so `--replications 1`
reproduces replication 0 of any larger run, up to the uncertain numbers' values, which
versterking.runs.draws stratifies over all the run's replications), replication r > 0 with a seed
spawned from it (numpy SeedSequence). The same seeds serve every scenario of a comparison, sweep or
search: common random numbers."""

from __future__ import annotations

import numpy as np


def replication_seed(root: int, replication: int) -> int:
    if replication == 0:
        return root
    state = np.random.SeedSequence(root, spawn_key=(replication,)).generate_state(2, np.uint32)
    return int(state[0]) << 31 | int(state[1]) >> 1


def replication_seeds(root: int, replications: int) -> list[int]:
    return [replication_seed(root, r) for r in range(replications)]
