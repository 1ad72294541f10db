#!/usr/bin/env bash
# bench_tracer.sh - what tracing costs the server: requests/s traced over untraced.
#
# The busiest load: prefork-epoll-exclusive, 2 workers, a new connection per
# request (wrk with 'Connection: close'), as many requests/s as the machine
# gives. In one session, each round runs every observer (herdlab trace --pid,
# the same with the entry programs, perf record -e 'sched:*' -a, perf sched
# record) right after an untraced run of its own: the ratio of the pair is
# the observer's cost in that round, free of the machine's slower drifts. Each
# cell is the median over ROUNDS. The same pairs then measure the machine's
# CPU time per request at a fixed rate (RATE, 8000/s open loop). Last, with
# kernel.bpf_stats_enabled, the BPF programs' own cost: run_time_ns / run_cnt
# per program. Goal: >= 97% of untraced throughput and <= 300 ns per
# sched_switch event. Needs root.
#
#   scripts/bench_tracer.sh        (env: SECONDS_PER_RUN=5, ROUNDS=5, RATE=8000)
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$HERD_ROOT"

RUN_S=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-5}
OUT=reports/bench/tracer.md
TMPD=$(mktemp -d /tmp/herdbench.XXXXXX)
HERDLAB=$HERD_BUILD/herdlab
[ "$(id -u)" -eq 0 ] || { echo "bench_tracer: needs root (BPF, perf)" >&2; exit 1; }

herdsrv_start S prefork-epoll-exclusive --workers 2
trap 'herdsrv_stop "$S_PID"; sysctl -qw kernel.bpf_stats_enabled=0; rm -rf "$TMPD" "$OUT.tmp"' EXIT
URL=http://127.0.0.1:$S_PORT/size/1K
tree=$(echo "$S_PID" $(pgrep -P "$S_PID") | tr ' ' ',')

load() { # -> requests/s
	wrk -t 2 -c 32 -d "${RUN_S}s" -H 'Connection: close' "$URL" 2>&1 |
		awk '/^Requests\/sec/ { printf "%.0f", $2 }'
}

# with TOOL: start the observer, run the load, stop it; prints requests/s.
with() {
	local pid= rps
	case "$1" in
	none) ;;
	herdlab) "$HERDLAB" trace --pid "$S_PID" >/dev/null 2>&1 & pid=$! ;;
	herdlab-entry) HERDLAB_SYS_ENTER=1 "$HERDLAB" trace --pid "$S_PID" >/dev/null 2>&1 & pid=$! ;;
	perf-record) perf record -q -e 'sched:*' -a -o "$TMPD/perf.data" >/dev/null 2>&1 & pid=$! ;;
	perf-sched) perf sched record -q -o "$TMPD/sched.data" >/dev/null 2>&1 & pid=$! ;;
	esac
	sleep 1
	rps=$(load)
	[ -n "$pid" ] && { kill -INT "$pid"; wait "$pid" 2>/dev/null || true; }
	rm -f "$TMPD"/*.data
	echo "$rps"
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A rps ratio
tools="herdlab herdlab-entry perf-record perf-sched"
for r in $(seq "$ROUNDS"); do
	for tool in $tools; do
		b=$(with none)
		v=$(with "$tool")
		rps[none]+="$b "
		rps[$tool]+="$v "
		ratio[$tool]+="$(awk -v v="$v" -v b="$b" 'BEGIN { printf "%.4f", (b > 0 ? v / b : 0) }') "
		echo "bench: round $r: untraced $b, $tool $v requests/s" >&2
	done
done

# The same cost as CPU time: a fixed open-loop rate (herdload --rate), the
# machine's busy ticks (user, system, irq, softirq) over the run, each observer
# paired with an untraced run. At a rate the machine sustains either way the
# requests are the same, so the ratio is the observer's CPU per request.
RATE=${RATE:-8000}
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
at_rate() { # with TOOL at RATE: prints busy ticks
	local pid= b0 b1
	case "$1" in
	herdlab) "$HERDLAB" trace --pid "$S_PID" >/dev/null 2>&1 & pid=$! ;;
	herdlab-entry) HERDLAB_SYS_ENTER=1 "$HERDLAB" trace --pid "$S_PID" >/dev/null 2>&1 & pid=$! ;;
	esac
	sleep 1
	b0=$(busy)
	"$HERD_BUILD/herdload" --port "$S_PORT" --rate "$RATE" --duration "$RUN_S" --path /size/1K \
		--quiet --json "$TMPD/rate.json" >/dev/null 2>&1
	b1=$(busy)
	[ -n "$pid" ] && { kill -INT "$pid"; wait "$pid" 2>/dev/null || true; }
	echo $((b1 - b0))
}
declare -A cpu
for r in $(seq "$ROUNDS"); do
	for tool in herdlab herdlab-entry; do
		b=$(at_rate none)
		v=$(at_rate "$tool")
		cpu[$tool]+="$(awk -v v="$v" -v b="$b" 'BEGIN { printf "%.4f", (b > 0 ? v / b : 0) }') "
		echo "bench: round $r at $RATE/s: untraced $b ticks, $tool $v ticks" >&2
	done
done

# The programs' own cost, from the kernel's BPF statistics, under the same load.
sysctl -qw kernel.bpf_stats_enabled=1
"$HERDLAB" trace --pid "$S_PID" >/dev/null 2>&1 &
tp=$!
sleep 1
stats_rps=$(load)
bpftool prog show -j >"$TMPD/progs.json"
kill -INT $tp
wait $tp || true
sysctl -qw kernel.bpf_stats_enabled=0
costs=$(tr '{' '\n' <"$TMPD/progs.json" | awk '
	match($0, /"name":"[^"]*"/) { n = substr($0, RSTART + 8, RLENGTH - 9) }
	match($0, /"run_time_ns":[0-9]+/) { t = substr($0, RSTART + 14, RLENGTH - 14) }
	match($0, /"run_cnt":[0-9]+/) { c = substr($0, RSTART + 10, RLENGTH - 10);
		if (n ~ /_btf$|_raw$|^enter_|^exit_/ && c > 0) printf "| %s | %d | %d | %.0f |\n", n, c, t, t / c }')
bpf_ns=$(echo "$costs" | awk -F'|' '{ s += $4 } END { print s + 0 }')

base=$(echo ${rps[none]} | median)
{
	echo "# The tracer's overhead"
	echo
	echo "prefork-epoll-exclusive, 2 workers, GET /size/1K, wrk -t2 -c32 with 'Connection: close', ${RUN_S} s per run,"
	echo "$ROUNDS rounds, each observer right after an untraced run; medians of the pairs' ratios. Kernel $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%d),"
	echo "herdlab $(git rev-parse --short HEAD 2>/dev/null || echo '?'). Load generator, server and observer share the cores."
	echo
	echo "| observer | requests/s | of untraced (paired) | pairs (min - max) |"
	echo "|---|---:|---:|---:|"
	echo "| none | $base | 100.0% | |"
	for tool in $tools; do
		m=$(echo ${rps[$tool]} | median)
		pct() { awk '{ printf "%.1f%%", 100 * $1 }'; }
		lo=$(echo ${ratio[$tool]} | tr ' ' '\n' | grep . | sort -g | head -1 | pct)
		hi=$(echo ${ratio[$tool]} | tr ' ' '\n' | grep . | sort -g | tail -1 | pct)
		echo "| $tool | $m | $(echo ${ratio[$tool]} | median | pct) | $lo - $hi |"
	done
	echo
	echo "The same as CPU time: herdload at a fixed $RATE requests/s (open loop) for ${RUN_S} s, the"
	echo "machine's busy time (user, system, irq, softirq) traced over untraced, paired as above."
	echo
	echo "| observer | CPU per request, of untraced | pairs (min - max) | as throughput |"
	echo "|---|---:|---:|---:|"
	for tool in herdlab herdlab-entry; do
		m=$(echo ${cpu[$tool]} | median)
		lo=$(echo ${cpu[$tool]} | tr ' ' '\n' | grep . | sort -g | head -1)
		hi=$(echo ${cpu[$tool]} | tr ' ' '\n' | grep . | sort -g | tail -1)
		awk -v t="$tool" -v m="$m" -v lo="$lo" -v hi="$hi" 'BEGIN {
			printf "| %s | %.1f%% | %.1f%% - %.1f%% | %.1f%% |\n", t, 100 * m, 100 * lo, 100 * hi, 100 / m }'
	done
	echo
	echo "herdlab reads what a task sleeps in from its registers at sched_switch (Linux 5.15+);"
	echo "herdlab-entry is the same tracer with the entry programs of the waiting calls instead"
	echo "(HERDLAB_SYS_ENTER=1, what older kernels get)."
	echo
	echo "BPF programs under the same load (kernel.bpf_stats_enabled): time per event."
	echo
	echo "| program | events | run time ns | ns per event |"
	echo "|---|---:|---:|---:|"
	echo "$costs"
	echo
	awk -v ns="$bpf_ns" -v rps="$stats_rps" -v s="$RUN_S" -v cpus="$(nproc)" 'BEGIN {
		n = rps * s; if (n <= 0) exit
		printf "All programs together: %.0f ms of BPF run time for about %.0f requests (%.0f requests/s with\n", ns / 1e6, n, rps
		printf "statistics on), %.2f us per request, %.1f%% of the %.0f us of CPU each request gets here.\n", ns / n / 1e3, 100 * (ns / n) / (cpus * 1e9 / rps), cpus * 1e6 / rps
	}'
	echo
	echo "What the rest costs: the programs' run time is not all of it. Any system-call tracepoint"
	echo "makes every system call of every task on the machine (the load generator's too) take the"
	echo "kernel's traced entry and exit path, and each classic tracepoint hit goes through the perf"
	echo "buffer before the program runs; inet_sock_set_state and sk_data_ready fire for both ends of"
	echo "each loopback connection. Accepts can only be seen at the system call's exit here (no"
	echo "kprobes, no fentry), so that path stays."
	echo
	echo "Goal: herdlab >= 97% of untraced throughput; <= 300 ns per sched_switch event."
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT"
