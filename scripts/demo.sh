#!/usr/bin/env bash
# demo.sh - `make demo`: the thundering-herd study on defaults.
#
# Five ways for 8 workers to wait for connections - blocking accept (prefork), a
# mutex around accept, per-worker epoll (the herd), the same with EPOLLEXCLUSIVE,
# and a listener per worker (SO_REUSEPORT) - each traced by `herdlab run` under
# the same load (prefork-epoll-exclusive twice: DEMO_AGAIN), then compared: how
# many tasks each connection woke, how many of those wakeups were futile,
# context switches per request, how evenly the workers shared the accepts (and
# whether that held from run to run), and what the clients saw. `herdlab
# compare --findings` writes the comparison to reports/demo/ (DEMO_OUT):
# herd.md, and comparison.md and comparison.html with figures; each run's
# directory, with its own report, is beside them (MODEL, and MODEL-2 for a
# second run). The terminal gets the findings: a table of the numbers and a few
# sentences made from them, in 100 columns.
#
# Tracing needs root and a kernel with BTF; without them the demo runs the same
# models untraced and says so.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$HERD_ROOT"

MODELS=${DEMO_MODELS:-"prefork prefork-mutex prefork-epoll prefork-epoll-exclusive prefork-reuseport"}
LOAD=${DEMO_LOAD:-"--clients 2 --duration 6 --path /size/1K"}
# Run twice: which worker EPOLLEXCLUSIVE wakes is a matter of timing, and only a
# second run can show whether its share of the accepts holds.
AGAIN=${DEMO_AGAIN:-"prefork-epoll-exclusive"}
OUT=${DEMO_OUT:-reports/demo}
HERDLAB=$HERD_BUILD/herdlab
mkdir -p "$OUT"

trace=yes
if [ "$(id -u)" -ne 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
	trace=no
	echo "demo: tracing needs root and a kernel with BTF; running the models untraced" >&2
fi

# Every model once (OUT/MODEL), then those in AGAIN a second time (OUT/MODEL-2).
runs=()
for m in $MODELS; do runs+=("$m"); done
for m in $AGAIN; do [[ " $MODELS " == *" $m "* ]] && runs+=("$m-2"); done
dirs=()
failed=()
i=0
for name in "${runs[@]}"; do
	i=$((i + 1))
	m=${name%-2}
	printf '\r[%d/%d] %-26s' "$i" "${#runs[@]}" "$name" >&2
	dir=$OUT/$name
	rm -rf "$dir"
	args=(--model "$m" --workers 8 $LOAD --out "$dir")
	[ $trace = yes ] || args+=(--no-trace)
	if "$HERDLAB" run "${args[@]}" >/dev/null 2>"$OUT/$name.err"; then
		dirs+=("$dir")
		rm -f "$OUT/$name.err"
	else
		failed+=("$name: $(tail -1 "$OUT/$name.err")")
	fi
done
printf '\r%60s\r' '' >&2
[ ${#dirs[@]} -gt 0 ] || { printf 'demo: every model failed:\n' >&2; printf '  %s\n' "${failed[@]}" >&2; exit 1; }
# Model by model, a second run beside the first (the comparison's rows in that order).
ordered=()
for m in $MODELS; do
	for d in "${dirs[@]}"; do
		[ "$d" = "$OUT/$m" ] || [ "$d" = "$OUT/$m-2" ] && ordered+=("$d")
	done
done
dirs=("${ordered[@]}")

# Everything that states a result is herdlab compare's, made from the runs' numbers
# (--findings: herdlab/report/herd_findings.c); this script only says what was run.
"$HERDLAB" compare --findings --format md --out "$OUT/comparison.md" "${dirs[@]}"
"$HERDLAB" compare --findings --format html --out "$OUT/comparison.html" "${dirs[@]}"
{
	echo "# The thundering herd, five ways"
	echo
	echo "8 workers per model; load: herdload $LOAD (a new connection per request);"
	echo "${AGAIN:+$AGAIN run twice; }$(date -u '+%Y-%m-%d %H:%M UTC'); traced: $trace."
	echo
	"$HERDLAB" compare --findings --format md --no-plots "${dirs[@]}" | sed '1,/^$/d'
	for f in "${failed[@]}"; do echo "- failed: $f"; done
	echo
	echo "Figures: comparison.html; each run's own report: MODEL/report.html."
} >"$OUT/herd.md.tmp"
mv "$OUT/herd.md.tmp" "$OUT/herd.md"
"$HERDLAB" compare --findings-only "${dirs[@]}"
for f in "${failed[@]}"; do echo "failed: $f"; done
echo
echo "The whole comparison, with its tables and figures: $OUT/comparison.html"
echo "(in Markdown: $OUT/herd.md); each run's own report: $OUT/MODEL/report.html."
