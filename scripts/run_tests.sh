#!/bin/sh
# Runs test binaries, each ending with "<name>: N passed, N failed, N skipped", and prints
# the totals as the last line. Exits non-zero if any binary failed or crashed.
passed=0; failed=0; skipped=0; status=0
for bin in "$@"; do
    out=$("$bin" 2>&1); rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
    if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
        printf '%s\n' "$out" | grep -vE '^ok ' | tail -n 60
    elif [ -n "$CANDOR_TEST_VERBOSE" ]; then
        printf '%s\n' "$out"
    else
        # Keep per-suite counts and skip notices visible; drop passing detail.
        printf '%s\n' "$out" | grep -E '^(SKIPPED|  )' | head -n 40
    fi
    if [ -z "$line" ]; then
        echo "$(basename "$bin"): crashed or printed no result (exit $rc)"
        failed=$((failed + 1)); status=1; continue
    fi
    echo "$line"
    p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${s:-0}))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); fi
    [ "$rc" -ne 0 ] && status=1
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
