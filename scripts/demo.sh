#!/usr/bin/env bash
# demo.sh - `make demo`: a few server models, the same load, what happened.
#
# For each model: start it on a free port, fetch a page with curl, send 2003
# requests with ab (16 at a time, a new connection each), look at its processes
# while it runs, stop it, and print one line. The table also lands in
# reports/demo/servers.md. (The tracer turns this into the herd study.)
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$HERD_ROOT"

MODELS=${DEMO_MODELS:-"iterative fork prefork prefork-mutex prefork-epoll prefork-epoll-exclusive prefork-reuseport thread prethread-queue epoll uring"}
N=2003
OUT=reports/demo/servers.md
mkdir -p reports/demo
TMPD=$(mktemp -d /tmp/herddemo.XXXXXX)
trap 'rm -rf "$TMPD"' EXIT

printf '\nherdlab demo: %d requests (ab -c 16, a new connection each) to each model, 8 workers\n\n' $N
header="| model | curl /size/10K | requests/s | p50 ms | p99 ms | failed | tasks while loaded | zombies | --stats requests |"
rule="|---|---|---:|---:|---:|---:|---:|---:|---:|"
echo "$header"
echo "$rule"
rows=()
for m in $MODELS; do
	if ! herdsrv_start S "$m" --workers 8 --stats "$TMPD/$m.csv"; then
		rows+=("| $m | did not start | | | | | | | |")
		continue
	fi
	url=http://127.0.0.1:$S_PORT
	fetched=$(curl -s -o /dev/null -w '%{http_code} in %{time_total}s' "$url/size/10K")
	ab -q -n $N -c 16 "$url/size/1K" >"$TMPD/ab.out" 2>&1 &
	abpid=$!
	sleep 0.15
	# tasks: the server's threads plus its processes' threads, mid-load
	tasks=0
	for p in $S_PID $(pgrep -P "$S_PID" || true); do
		tasks=$((tasks + $(ls /proc/$p/task 2>/dev/null | wc -l)))
	done
	wait $abpid || true
	zombies=$(ps -o stat= --ppid "$S_PID" | grep -c '^Z' || true)
	herdsrv_stop "$S_PID"
	rps=$(awk '/^Requests per second/ { printf "%.0f", $4 }' "$TMPD/ab.out")
	failed=$(awk '/^Failed requests/ { print $3 }' "$TMPD/ab.out")
	p50=$(awk '$1 == "50%" { print $2 }' "$TMPD/ab.out")
	p99=$(awk '$1 == "99%" { print $2 }' "$TMPD/ab.out")
	stats=$(awk -F, 'NR > 1 { n += $2 } END { print n + 0 }' "$TMPD/$m.csv" 2>/dev/null || echo "?")
	row="| $m | $fetched | ${rps:-?} | ${p50:-?} | ${p99:-?} | ${failed:-?} | $tasks | $zombies | $stats |"
	echo "$row"
	rows+=("$row")
done
{
	echo "# herdlab demo"
	echo
	echo "$N requests (ab -c 16, a new connection each, GET /size/1K) per model, --workers 8."
	echo "Kernel $(uname -r), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo "--stats requests = the $N from ab plus curl's one, counted by the server itself."
	echo
	echo "$header"
	echo "$rule"
	printf '%s\n' "${rows[@]}"
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
printf '\nwrote %s\n' "$OUT"
