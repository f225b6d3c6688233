"""What the command line and the web app accept for the numbers typed beside a scenario, written once
so that both refuse the same values."""

RUN_REPLICATIONS = (1, 100_000)      # versterking run, sweep
COMPARE_REPLICATIONS = (1, 1000)     # versterking compare
SEED = (0, 2**63 - 1)                # a root seed (numpy's SeedSequence takes any non-negative integer)
MAX_CAPACITY = 10_000_000             # slots of a resource, in a scenario file or typed in the app
CONFIDENCE = (0.0, 1.0)              # terug redeneren's share of replications: above 0, at most 1
