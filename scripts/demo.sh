#!/usr/bin/env bash
# demo.sh - `make demo`: the thundering-herd study on defaults.
#
# Five ways for 8 workers to wait for connections - blocking accept (prefork), a
# mutex around accept, per-worker epoll (the herd), the same with EPOLLEXCLUSIVE,
# and a listener per worker (SO_REUSEPORT) - each traced by `herdlab run` under
# the same load, then compared: how many tasks each connection woke, how many
# of those wakeups were futile, context switches per request, how evenly the
# workers shared the accepts, and what the clients saw. The table is printed and
# written to reports/demo/herd.md; each run's directory is under reports/demo/.
#
# Tracing needs root and a kernel with BTF; without them the demo runs the same
# models untraced and says so.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$HERD_ROOT"

MODELS=${DEMO_MODELS:-"prefork prefork-mutex prefork-epoll prefork-epoll-exclusive prefork-reuseport"}
LOAD=${DEMO_LOAD:-"--clients 2 --duration 6 --path /size/1K"}
OUT=reports/demo
HERDLAB=$HERD_BUILD/herdlab
J=$HERD_BUILD/tests/tools/jsonget
mkdir -p "$OUT"

trace=yes
if [ "$(id -u)" -ne 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
	trace=no
	echo "demo: tracing needs root and a kernel with BTF; running the models untraced" >&2
fi

# A value from a run's run.json, formatted (printf FORMAT), or "-".
val() { local v; v=$("$J" "$1/run.json" "$2" 2>/dev/null) && printf "$3" "$v" || printf -- "-"; }

rows=()
n=$(echo $MODELS | wc -w)
i=0
for m in $MODELS; do
	i=$((i + 1))
	printf '\r[%d/%d] %-26s' "$i" "$n" "$m" >&2
	dir=$OUT/$m
	rm -rf "$dir"
	args=(--model "$m" --workers 8 $LOAD --out "$dir")
	[ $trace = yes ] || args+=(--no-trace)
	if ! "$HERDLAB" run "${args[@]}" >/dev/null 2>"$OUT/$m.err"; then
		rows+=("| $m | failed: $(tail -1 "$OUT/$m.err") | | | | | | |")
		continue
	fi
	rows+=("| $m | $(val "$dir" client.throughput.requests_per_s %.0f) | \
$(val "$dir" trace.accept.wakeups_per_accept %.2f) | \
$(val "$dir" trace.accept.futile_wakeups %s) | \
$(val "$dir" trace.sched.switches_per_request %.2f) | \
$(val "$dir" trace.accept.fairness.jain %.3f) | \
$(val "$dir" client.latency_us.total.p99 %.0f) | \
$(val "$dir" join.matched %.3f) |")
	rm -f "$OUT/$m.err"
done
printf '\r%60s\r' '' >&2

{
	echo "# The thundering herd, five ways"
	echo
	echo "8 workers per model; load: herdload $LOAD (a new connection per request)."
	echo "Kernel $(uname -r), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC'); traced: $trace."
	echo
	echo "| model | requests/s | wakeups per accept | futile wakeups | switches per request | fairness (Jain) | p99 us | join matched |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	printf '%s\n' "${rows[@]}"
	echo
	echo "Wakeups per accept is the herd factor: tasks woken by each new connection."
	echo "Blocking accept and EPOLLEXCLUSIVE wake one; per-worker epoll wakes every idle"
	echo "worker, and all but one go back to sleep (futile). A mutex around accept wakes"
	echo "one acceptor plus one lock waiter per connection; SO_REUSEPORT gives each worker"
	echo "its own queue. Each run's full report: herdlab run's directory under $OUT/."
} >"$OUT/herd.md.tmp"
mv "$OUT/herd.md.tmp" "$OUT/herd.md"
cat "$OUT/herd.md"
