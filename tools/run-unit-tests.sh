#!/bin/bash
# Run every unit test binary, show each one's cmocka output, and end with
# one summary line. Exit non-zero if any test binary failed.
set -uo pipefail
passed=0 failed=0
for t in "$@"; do
	if "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $t"; fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
