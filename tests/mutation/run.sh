#!/usr/bin/env bash
# Mutation testing of the engine core with cosmic-ray, outside CI (about 20 minutes on 2 cores):
#
#     bash tests/mutation/run.sh [module ...]      # default: resources, schedules, process
#
# It mutates the *installed* copy of each module (the suite tests the installed package), one
# mutation at a time, runs the engine's tests against it and restores the file; then prints the
# survivors. The operators are the boundary and logic swaps (< <=, == !=, and or, not, + -, * /,
# True False, a loop that runs zero times, break continue); the other binary operator swaps mostly
# give mutants that crash at once. Run it from the repository after `pip install ".[test]"`.
set -euo pipefail
cd "$(dirname "$0")/../.."
modules=("${@:-resources schedules process}")
installed="$(cd /tmp && python -c 'import versterking, os; print(os.path.dirname(versterking.__file__))')"
work="$(mktemp -d)"
paths=$(for m in ${modules[*]}; do printf '"%s/engine/%s.py", ' "$installed" "$m"; done)
tests="tests/test_resources.py tests/test_schedules.py tests/test_model.py tests/test_measures.py"
tests="$tests tests/test_invariants.py::test_invariants_hold_in_every_run"
cat > "$work/config.toml" <<TOML
[cosmic-ray]
module-path = [${paths%, }]
timeout = 300.0
excluded-modules = []
test-command = "env VERSTERKING_EXAMPLES=60 pytest -x -q --no-cov -p no:cacheprovider $tests"

[cosmic-ray.distributor]
name = "local"

[cosmic-ray.filters.operators-filter]
exclude-operators = [
  "core/NumberReplacer",
  "core/ReplaceBinaryOperator_(Add_(?!Sub)|Sub_(?!Add)|Mul_(?!Div)|Div_(?!Mul)|BitOr|BitAnd|BitXor|FloorDiv|Mod|Pow|LShift|RShift).*",
  "core/ReplaceComparisonOperator_(Eq_(?!NotEq)|NotEq_(?!Eq)|Lt_(?!LtE)|LtE_(?!Lt$)|Gt_(?!GtE)|GtE_(?!Gt$)).*",
  "core/ReplaceUnaryOperator_(USub|UAdd|Invert).*",
  "core/RemoveDecorator",
]
TOML
session="$work/session.sqlite"
cosmic-ray init "$work/config.toml" "$session"
cr-filter-operators "$session" "$work/config.toml"
cosmic-ray baseline "$work/config.toml"
cosmic-ray exec "$work/config.toml" "$session"
cr-report "$session" --show-pending | tail -n 3
echo "survivors:"
cr-report "$session" | grep -B1 -A12 "test outcome: TestOutcome.SURVIVED" || true
echo "session: $session"
