#!/usr/bin/env bash
# demo.sh - `make demo`: the thundering-herd study on defaults.
#
# Five ways for 8 workers to wait for connections - blocking accept (prefork), a
# mutex around accept, per-worker epoll (the herd), the same with EPOLLEXCLUSIVE,
# and a listener per worker (SO_REUSEPORT) - each traced by `herdlab run` under
# the same load, then compared: how many tasks each connection woke, how many
# of those wakeups were futile, context switches per request, how evenly the
# workers shared the accepts, and what the clients saw. The comparison (herdlab
# compare) is printed and written to reports/demo/ (DEMO_OUT): herd.md, and
# comparison.md and comparison.html with figures; each run's directory, with its
# own report, is beside them.
#
# Tracing needs root and a kernel with BTF; without them the demo runs the same
# models untraced and says so.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$HERD_ROOT"

MODELS=${DEMO_MODELS:-"prefork prefork-mutex prefork-epoll prefork-epoll-exclusive prefork-reuseport"}
LOAD=${DEMO_LOAD:-"--clients 2 --duration 6 --path /size/1K"}
OUT=${DEMO_OUT:-reports/demo}
HERDLAB=$HERD_BUILD/herdlab
J=$HERD_BUILD/tests/tools/jsonget
mkdir -p "$OUT"

trace=yes
if [ "$(id -u)" -ne 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
	trace=no
	echo "demo: tracing needs root and a kernel with BTF; running the models untraced" >&2
fi

dirs=()
failed=()
n=$(echo $MODELS | wc -w)
i=0
for m in $MODELS; do
	i=$((i + 1))
	printf '\r[%d/%d] %-26s' "$i" "$n" "$m" >&2
	dir=$OUT/$m
	rm -rf "$dir"
	args=(--model "$m" --workers 8 $LOAD --out "$dir")
	[ $trace = yes ] || args+=(--no-trace)
	if "$HERDLAB" run "${args[@]}" >/dev/null 2>"$OUT/$m.err"; then
		dirs+=("$dir")
		rm -f "$OUT/$m.err"
	else
		failed+=("$m: $(tail -1 "$OUT/$m.err")")
	fi
done
printf '\r%60s\r' '' >&2
[ ${#dirs[@]} -gt 0 ] || { printf 'demo: every model failed:\n' >&2; printf '  %s\n' "${failed[@]}" >&2; exit 1; }

# The comparison, by herdlab compare: Markdown and HTML with figures, and the
# narrative around its table in herd.md.
"$HERDLAB" compare --format md --out "$OUT/comparison.md" "${dirs[@]}"
"$HERDLAB" compare --format html --out "$OUT/comparison.html" "${dirs[@]}"
{
	echo "# The thundering herd, five ways"
	echo
	echo "8 workers per model; load: herdload $LOAD (a new connection per request)."
	echo "Kernel $(uname -r), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC'); traced: $trace."
	"$HERDLAB" compare --format md --no-plots "${dirs[@]}" | sed '1,/^$/d'
	for f in "${failed[@]}"; do echo "- failed: $f"; done
	echo
	echo "The herd factor is the number of tasks woken by each new connection."
	echo "Blocking accept and EPOLLEXCLUSIVE wake one; per-worker epoll wakes every idle"
	echo "worker, and all but one go back to sleep (futile). A mutex around accept wakes"
	echo "one acceptor plus one lock waiter per connection; SO_REUSEPORT gives each worker"
	echo "its own queue. Figures: comparison.html; each run's report: $OUT/MODEL/report.html."
} >"$OUT/herd.md.tmp"
mv "$OUT/herd.md.tmp" "$OUT/herd.md"
"$HERDLAB" compare "${dirs[@]}"
