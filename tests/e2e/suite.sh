#!/bin/sh
# The end-to-end suite as one entry of `make test`: runs tests/e2e/run.sh and restates its
# closing "N passed, N failed" as "e2e: N passed, N failed, N skipped" for scripts/run_tests.sh.
# Without node/npm (a machine where scripts/deps.sh could not install them) the suite is
# counted as skipped and says so; a failure to install the pinned tooling is a failure.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "SKIPPED e2e: node/npm not installed (apt-get install nodejs npm)"
    echo "e2e: 0 passed, 0 failed, 1 skipped"
    exit 0
fi
out=$(sh "$(dirname "$0")/run.sh" 2>&1)
rc=$?
printf '%s\n' "$out"
line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
if [ -z "$line" ]; then
    echo "e2e: 0 passed, 1 failed, 0 skipped"
    exit 1
fi
p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
echo "e2e: $p passed, $f failed, 0 skipped"
[ "$rc" -eq 0 ] && [ "$f" -eq 0 ]
