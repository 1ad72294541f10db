#!/usr/bin/env bash
# bench_profile.sh - what the profiler costs the server: requests/s with
# herdlab trace --profile at 99 Hz and at 999 Hz, against untraced and against
# the tracer alone, and the cost of one sample in BPF.
#
# The load and the pairing are bench_tracer.sh's: prefork-epoll-exclusive, 2
# workers, wrk -t2 -c32 with 'Connection: close'; every observed run paired
# with an untraced run beside it (which runs first alternates by round), the
# median of the pairs' ratios and its distribution-free 95% interval. Then,
# with kernel.bpf_stats_enabled, the sampler's run time per sample. The goal
# is <= 1% extra cost at 99 Hz over the tracer alone. Needs root.
#
#   scripts/bench_profile.sh        (env: SECONDS_PER_RUN=3, ROUNDS=8)
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$HERD_ROOT"

RUN_S=${SECONDS_PER_RUN:-3}
ROUNDS=${ROUNDS:-8}
[ -n "${BENCH_TRACE:-}" ] && set -x
OUT=reports/bench/profile.md
TMPD=$(mktemp -d /tmp/herdbench.XXXXXX)
HERDLAB=$HERD_BUILD/herdlab
[ "$(id -u)" -eq 0 ] || { echo "bench_profile: needs root (BPF)" >&2; exit 1; }

herdsrv_start S prefork-epoll-exclusive --workers 2
OBS_PID=
cleanup() {
	[ -n "$OBS_PID" ] && kill -INT "$OBS_PID" 2>/dev/null && wait "$OBS_PID" 2>/dev/null
	herdsrv_stop "$S_PID"
	sysctl -qw kernel.bpf_stats_enabled=0
	rm -rf "$TMPD" "$OUT.tmp"
}
trap cleanup EXIT
URL=http://127.0.0.1:$S_PORT/size/1K

load() { wrk -t 2 -c 32 -d "${RUN_S}s" -H 'Connection: close' "$URL" 2>&1 |
	awk '/^Requests\/sec/ { printf "%.0f", $2 }'; }
observe() { # TOOL: none, tracer, profile-99, profile-999
	OBS_PID=
	case "$1" in
	none) return 0 ;;
	tracer) "$HERDLAB" trace --pid "$S_PID" >/dev/null 2>&1 & ;;
	profile-*) "$HERDLAB" trace --pid "$S_PID" --profile="${1#profile-}" --out "$TMPD/p" \
		>/dev/null 2>&1 & ;;
	esac
	OBS_PID=$!
	sleep 1
}
unobserve() {
	[ -n "$OBS_PID" ] || return 0
	kill -INT "$OBS_PID"
	wait "$OBS_PID" 2>/dev/null || true
	OBS_PID=
}
with() { local r; observe "$1"; r=$(load); unobserve; echo "$r"; }

sorted() { tr ' ' '\n' | grep . | sort -g; }
median() { sorted | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ci95() { # bench_tracer.sh's: the (k+1)-th and (n-k)-th of n, a sign test's interval
	sorted | awk '{ v[NR] = $1 } END {
		n = NR; p = 0.5 ^ n; c = 0; k = -1
		for (i = 0; i < n; i++) { c += p; if (c > 0.025) break; k = i; p = p * (n - i) / (i + 1) }
		if (k < 0) print "- -"; else print v[k + 1], v[n - k]
	}'
}
pct() { [ "$1" = - ] && echo - || awk -v x="$1" 'BEGIN { printf "%.1f%%", 100 * x }'; }

declare -A rps ratio
tools="tracer profile-99 profile-999"
for r in $(seq "$ROUNDS"); do
	for tool in $tools; do
		if ((r % 2)); then b=$(with none); v=$(with "$tool"); else v=$(with "$tool"); b=$(with none); fi
		rps[none]+="$b " rps[$tool]+="$v "
		ratio[$tool]+="$(awk -v v="$v" -v b="$b" 'BEGIN { printf "%.4f", (b > 0 ? v / b : 0) }') "
		echo "bench: round $r/$ROUNDS: untraced $b, $tool $v requests/s" >&2
	done
done

# The sampler's own cost: run time per sample (bpf_stats), at 999 Hz under the load.
sysctl -qw kernel.bpf_stats_enabled=1
observe profile-999
load >/dev/null
bpftool prog show -j >"$TMPD/progs.json"
unobserve
sysctl -qw kernel.bpf_stats_enabled=0
cnt=0 ns=0
read -r cnt ns < <(tr '{' '\n' <"$TMPD/progs.json" | awk '/"name":"profile_sample"/ {
	match($0, /"run_time_ns":[0-9]+/); t = substr($0, RSTART + 14, RLENGTH - 14)
	match($0, /"run_cnt":[0-9]+/); c = substr($0, RSTART + 10, RLENGTH - 10); print c, t; exit }')
load_avg=$(cut -d' ' -f1-3 /proc/loadavg)

{
	echo "# The profiler's overhead"
	echo
	echo "prefork-epoll-exclusive, 2 workers, GET /size/1K, wrk -t2 -c32 with 'Connection: close', ${RUN_S} s per run;"
	echo "$ROUNDS rounds, each observer paired with an untraced run (bench_tracer.sh's pairing). Kernel $(uname -r),"
	echo "$(nproc) CPUs, $(date -u +%Y-%m-%d), herdlab $(git rev-parse --short HEAD 2>/dev/null || echo '?'); load average at the end: $load_avg."
	echo
	echo "| observer | requests/s (median) | of untraced (median of pairs) | 95% interval |"
	echo "|---|---:|---:|---:|"
	echo "| none | $(echo ${rps[none]} | median) | 100.0% | |"
	for tool in $tools; do
		read -r lo hi < <(echo ${ratio[$tool]} | ci95)
		echo "| $tool | $(echo ${rps[$tool]} | median) | $(pct "$(echo ${ratio[$tool]} | median)") | $(pct "$lo") - $(pct "$hi") |"
	done
	echo
	awk -v c="${cnt:-0}" -v t="${ns:-0}" -v s="$RUN_S" 'BEGIN {
		if (c <= 0) { print "The sampler ran no sample with statistics on."; exit }
		printf "One sample in BPF (profile_sample, kernel.bpf_stats_enabled, 999 Hz): %d samples, %.0f ns each;\n", c, t / c
		printf "at 99 Hz on each of 2 CPUs that is %.1f us of CPU per second, %.4f%% of the machine.\n", 2 * 99 * t / c / 1e3, 100 * 2 * 99 * (t / c) / 2e9
	}'
	echo
	t99=$(echo ${ratio[tracer]} | median) p99=$(echo ${ratio[profile-99]} | median)
	awk -v t="$t99" -v p="$p99" 'BEGIN {
		printf "--profile at 99 Hz over the tracer alone: %.1f points of throughput (median of pairs; the pairs\n", 100 * (t - p)
		printf "differ by more than that from round to round on this shared machine: read the intervals).\n"
	}'
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT"
cat "$OUT"
