#!/usr/bin/env bash
# run.sh - run herdlab's tests and end with one summary line.
#
#   tests/run.sh all | unit | integration [FILTER]
#
# Unit tests are cmocka programs in build/tests/; integration tests are scripts
# in tests/integration/ that print TAP lines ("ok N - ...", "not ok N - ...",
# "ok N - ... # SKIP reason"); each gets TEST_TIMEOUT seconds (900), and one that
# dies or times out counts as a failure. The last line is "N passed, N failed, N skipped".
# With CI=true a skipped test counts as a failure: in CI everything must run.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
what=${1:-all}
filter=${2:-}
passed=0 failed=0 skipped=0
failures=()

# Unit tests run under valgrind's memcheck when it is there (VALGRIND= to skip):
# a memory error or leak fails the program even if every assertion held.
VALGRIND_RC=99
if [ -z "${VALGRIND+x}" ] && command -v valgrind >/dev/null; then
	VALGRIND="valgrind -q --error-exitcode=$VALGRIND_RC --leak-check=full --errors-for-leak-kinds=definite"
fi

run_unit() {
	local t out p f rc
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		[[ -n "$filter" && "$t" != *"$filter"* ]] && continue
		out=$(${VALGRIND:-} "$t" 2>&1)
		rc=$?
		if [ "$rc" -eq "$VALGRIND_RC" ] && [ -n "${VALGRIND:-}" ]; then
			failed=$((failed + 1))
			failures+=("$t: valgrind found memory errors")
			echo "$out" | grep '^==' | head -20
		fi
		echo "$out" | grep -E '^\[ +(OK|FAILED|PASSED|ERROR|SKIPPED) +\]|^\[==========\]' |
			grep -vE '^\[ +OK +\]' || true
		p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
		f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
		passed=$((passed + ${p:-0}))
		failed=$((failed + ${f:-0}))
		if [ -z "$p$f" ]; then # crashed before its summary
			failed=$((failed + 1))
			failures+=("$t: no summary (crashed?)")
			echo "$out" | tail -5
		fi
		[ "${f:-0}" -gt 0 ] && failures+=("$t: ${f} failed")
	done
}

run_integration() {
	local t line
	for t in tests/integration/test_*.sh; do
		[[ -n "$filter" && "$t" != *"$filter"* ]] && continue
		echo "# $t"
		while IFS= read -r line; do
			echo "$line"
			case "$line" in
			"not ok"*) failed=$((failed + 1)); failures+=("$t: ${line#not ok }") ;;
			"ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
			"ok "*) passed=$((passed + 1)) ;;
			"# exit 0") ;;
			"# exit "*) failed=$((failed + 1)); failures+=("$t: exited with status ${line#\# exit }") ;;
			esac
		done < <(timeout --kill-after=10 "${TEST_TIMEOUT:-900}" bash "$t" 2>&1; echo "# exit $?")
	done
}

case "$what" in
unit) run_unit ;;
integration) run_integration ;;
all) run_unit; run_integration ;;
*) echo "usage: $0 all|unit|integration [FILTER]" >&2; exit 2 ;;
esac

if [ ${#failures[@]} -gt 0 ]; then
	echo
	echo "failures:"
	printf '  %s\n' "${failures[@]}"
fi
if [ "${CI:-}" = "true" ] && [ "$skipped" -gt 0 ]; then
	echo "CI=true: $skipped skipped test(s) count as failures here"
	failed=$((failed + skipped))
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
