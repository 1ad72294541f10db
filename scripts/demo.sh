#!/usr/bin/env bash
# demo.sh - `make demo`: the thundering-herd study on defaults.
#
# Five ways for 8 workers to wait for connections - blocking accept (prefork), a
# mutex around accept, per-worker epoll (the herd), the same with EPOLLEXCLUSIVE,
# and a listener per worker (SO_REUSEPORT) - each traced by `herdlab run` under
# the same load, twice (DEMO_REPEATS), then compared: how many tasks each
# connection woke, how many of those wakeups were futile, context switches per
# request, how evenly the workers shared the accepts (and whether that held from
# run to run), and what the clients saw. `herdlab compare --findings` writes the
# comparison to reports/demo/ (DEMO_OUT): herd.md, and comparison.md and
# comparison.html with figures; each run's directory, with its own report, is
# beside them (MODEL/runN). The terminal gets the findings: a table of the
# numbers and a few sentences made from them, in 100 columns.
#
# Tracing needs root and a kernel with BTF; without them the demo runs the same
# models untraced and says so.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$HERD_ROOT"

MODELS=${DEMO_MODELS:-"prefork prefork-mutex prefork-epoll prefork-epoll-exclusive prefork-reuseport"}
LOAD=${DEMO_LOAD:-"--clients 2 --duration 3 --path /size/1K"}
REPEATS=${DEMO_REPEATS:-2}
OUT=${DEMO_OUT:-reports/demo}
HERDLAB=$HERD_BUILD/herdlab
mkdir -p "$OUT"

trace=yes
if [ "$(id -u)" -ne 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
	trace=no
	echo "demo: tracing needs root and a kernel with BTF; running the models untraced" >&2
fi

# Round by round, every model once per round, so that whatever drifts on the machine
# meanwhile falls on every model alike; each run in OUT/MODEL/runR.
failed=()
n=$(($(echo $MODELS | wc -w) * REPEATS))
i=0
for m in $MODELS; do rm -rf "${OUT:?}/$m"; done
for r in $(seq "$REPEATS"); do
	for m in $MODELS; do
		i=$((i + 1))
		printf '\r[%d/%d] %-26s' "$i" "$n" "$m" >&2
		dir=$OUT/$m/run$r
		mkdir -p "$OUT/$m"
		args=(--model "$m" --workers 8 $LOAD --out "$dir")
		[ $trace = yes ] || args+=(--no-trace)
		if "$HERDLAB" run "${args[@]}" >/dev/null 2>"$dir.err"; then
			rm -f "$dir.err"
		else
			failed+=("$m (run $r): $(tail -1 "$dir.err")")
		fi
	done
done
printf '\r%60s\r' '' >&2
# The runs that worked, model by model (the comparison's rows in that order).
dirs=()
for m in $MODELS; do
	for r in $(seq "$REPEATS"); do
		[ -f "$OUT/$m/run$r/run.json" ] && dirs+=("$OUT/$m/run$r")
	done
done
[ ${#dirs[@]} -gt 0 ] || { printf 'demo: every run failed:\n' >&2; printf '  %s\n' "${failed[@]}" >&2; exit 1; }

# Everything that states a result is herdlab compare's, made from the runs' numbers
# (--findings: herdlab/report/herd_findings.c); this script only says what was run.
"$HERDLAB" compare --findings --format md --out "$OUT/comparison.md" "${dirs[@]}"
"$HERDLAB" compare --findings --format html --out "$OUT/comparison.html" "${dirs[@]}"
{
	echo "# The thundering herd, five ways"
	echo
	echo "8 workers per model, each run $REPEATS times; load: herdload $LOAD (a new connection"
	echo "per request); $(date -u '+%Y-%m-%d %H:%M UTC'); traced: $trace."
	echo
	"$HERDLAB" compare --findings --format md --no-plots "${dirs[@]}" | sed '1,/^$/d'
	for f in "${failed[@]}"; do echo "- failed: $f"; done
	echo
	echo "Figures: comparison.html; each run's own report: MODEL/runN/report.html."
} >"$OUT/herd.md.tmp"
mv "$OUT/herd.md.tmp" "$OUT/herd.md"
"$HERDLAB" compare --findings-only "${dirs[@]}"
for f in "${failed[@]}"; do echo "failed: $f"; done
echo
echo "The whole comparison, with its tables and figures: $OUT/comparison.html"
echo "(in Markdown: $OUT/herd.md); each run's own report: $OUT/MODEL/runN/report.html."
