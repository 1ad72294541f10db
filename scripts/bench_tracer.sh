#!/usr/bin/env bash
# bench_tracer.sh - what tracing costs the server: requests/s traced over untraced.
#
# The busiest load: prefork-epoll-exclusive, 2 workers, a new connection per
# request (wrk with 'Connection: close'), as many requests/s as the machine
# gives. Identical untraced runs here differ by +-6%, more than the cost being
# measured, so the measure is built to see through that:
#   - every observer run is paired with an untraced run right beside it (in
#     alternating order, round by round), and the pair's ratio is its cost in
#     that round, free of the machine's slower drifts;
#   - many short rounds, and the median ratio with a distribution-free 95%
#     confidence interval (order statistics of the ratios: a sign test), so the
#     goal is called met, missed, or not decided by this run.
# Observers: herdlab trace --pid (on this kernel: waits from registers, records
# in task storage), the same with HERDLAB_SYS_ENTER=1 (the entry programs and
# the hash, what kernels before 5.15 get), a syscall tracepoint alone (perf stat
# -e syscalls:sys_exit_accept4 -a: the part of herdlab's cost that any system
# call tracepoint brings), perf record -e 'sched:*' -a and perf sched record. Then, with kernel.bpf_stats_enabled, the BPF programs' own cost
# (run_time_ns / run_cnt) under the same load, and herdlab's own CPU time.
# Goal: >= 97% of untraced throughput and <= 300 ns per sched_switch event.
# Needs root.
#
#   scripts/bench_tracer.sh        (env: SECONDS_PER_RUN=3, ROUNDS=16, OBSERVERS="herdlab ...")
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$HERD_ROOT"

RUN_S=${SECONDS_PER_RUN:-3}
ROUNDS=${ROUNDS:-16}
OUT=reports/bench/tracer.md
TMPD=$(mktemp -d /tmp/herdbench.XXXXXX)
HERDLAB=$HERD_BUILD/herdlab
[ "$(id -u)" -eq 0 ] || { echo "bench_tracer: needs root (BPF, perf)" >&2; exit 1; }

herdsrv_start S prefork-epoll-exclusive --workers 2
OBS_PID= tp= idle=
# However the script ends: no observer (a tracer holds BPF programs), no helper, no server left.
cleanup() {
	local p
	for p in $OBS_PID $tp; do kill -INT "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	[ -n "$idle" ] && kill "$idle" 2>/dev/null
	herdsrv_stop "$S_PID"
	sysctl -qw kernel.bpf_stats_enabled=0
	rm -rf "$TMPD" "$OUT.tmp"
}
trap cleanup EXIT
URL=http://127.0.0.1:$S_PORT/size/1K

load() { # -> requests/s
	wrk -t 2 -c 32 -d "${RUN_S}s" -H 'Connection: close' "$URL" 2>&1 |
		awk '/^Requests\/sec/ { printf "%.0f", $2 }'
}

# observe TOOL: start observer TOOL (none: nothing); sets OBS_PID. herdlab says when it
# has attached (its loading is not timed); perf says nothing, and gets a second.
# OBS_OK=0 when herdlab never said so (it died, or 10 s passed): that run is not traced.
observe() {
	OBS_PID=
	OBS_OK=1
	rm -f "$TMPD/obs.err"
	case "$1" in
	none) return 0 ;;
	herdlab) "$HERDLAB" trace --pid "$S_PID" >/dev/null 2>"$TMPD/obs.err" & ;;
	herdlab-entry) HERDLAB_SYS_ENTER=1 "$HERDLAB" trace --pid "$S_PID" >/dev/null 2>"$TMPD/obs.err" & ;;
	syscall-tp) perf stat -e syscalls:sys_exit_accept4 -a -o /dev/null >/dev/null 2>&1 & ;;
	perf-record) perf record -q -e 'sched:*' -a -o "$TMPD/perf.data" >/dev/null 2>&1 & ;;
	perf-sched) perf sched record -q -o "$TMPD/sched.data" >/dev/null 2>&1 & ;;
	esac
	OBS_PID=$!
	case "$1" in
	herdlab*)
		local i
		OBS_OK=0
		for i in $(seq 200); do
			grep -q '^herdlab trace: attached' "$TMPD/obs.err" 2>/dev/null && { OBS_OK=1; break; }
			kill -0 "$OBS_PID" 2>/dev/null || break
			sleep 0.05
		done
		;;
	*) sleep 1 ;; # loaded and attached
	esac
	OBS_T0=$(cpu_ticks "$OBS_PID")
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# unobserve: stop the observer; OBS_TICKS = its CPU ticks since it was attached.
unobserve() {
	OBS_TICKS=0
	[ -n "$OBS_PID" ] || return 0
	OBS_TICKS=$(($(cpu_ticks "$OBS_PID") - OBS_T0))
	kill -INT "$OBS_PID" 2>/dev/null || true # an observer that never attached may be gone
	wait "$OBS_PID" 2>/dev/null || true
	OBS_PID=
	rm -f "$TMPD"/*.data
}
# with TOOL: prints "requests/s observer-ticks attached [why]" for a run of the load under
# TOOL (attached: 0 when the observer never attached, and the run was not traced; why: the
# last line it wrote).
with() {
	local rps ok why=
	observe "$1"
	ok=$OBS_OK
	[ "$ok" = 1 ] || why=$(tail -n 1 "$TMPD/obs.err" 2>/dev/null)
	rps=$(load)
	unobserve
	echo "$rps $OBS_TICKS $ok $why"
}

# ---- numbers: sorted, median, ci95, pct, goal_verdict ----------------------------------
source "$(dirname "$0")/stats.sh"

# ---- throughput, paired ----------------------------------------------------------------
declare -A rps ratio ticks dropped
tools=${OBSERVERS:-herdlab herdlab-entry syscall-tp perf-record perf-sched}
[[ " $tools " == *" herdlab "* ]] || { echo "bench_tracer: OBSERVERS must include herdlab" >&2; exit 2; }
for r in $(seq "$ROUNDS"); do
	for tool in $tools; do
		if ((r % 2)); then # alternate which of the pair runs first
			read -r b _ < <(with none)
			read -r v t ok why < <(with "$tool")
		else
			read -r v t ok why < <(with "$tool")
			read -r b _ < <(with none)
		fi
		if [ "$ok" != 1 ]; then
			dropped[$tool]=$((${dropped[$tool]:-0} + 1))
			echo "bench: round $r/$ROUNDS: $tool never attached (${why:-it said nothing}); the pair is dropped" >&2
			continue
		fi
		ticks[$tool]+="$t "
		rps[none]+="$b "
		rps[$tool]+="$v "
		ratio[$tool]+="$(awk -v v="$v" -v b="$b" 'BEGIN { printf "%.4f", (b > 0 ? v / b : 0) }') "
		echo "bench: round $r/$ROUNDS: untraced $b, $tool $v requests/s" >&2
	done
done

# ---- the programs' own cost, from the kernel's BPF statistics, under the same load ------
sysctl -qw kernel.bpf_stats_enabled=1
observe herdlab
[ "$OBS_OK" = 1 ] || { echo "bench_tracer: herdlab trace did not attach for the statistics run: $(tail -n 1 "$TMPD/obs.err" 2>/dev/null)" >&2; exit 1; }
stats_rps=$(load)
# The tracer's own programs, by the ids of its fds, whatever their names (exit_accept4 or
# exit_accept4_cast, a raw_tp twin, the fexit path's): never every program of the machine.
for id in $(for f in /proc/$OBS_PID/fdinfo/*; do sed -n 's/^prog_id:\s*//p' "$f" 2>/dev/null; done | sort -un); do
	bpftool prog show id "$id" -j 2>/dev/null
done >"$TMPD/progs.json"
unobserve
sysctl -qw kernel.bpf_stats_enabled=0
costs=$(tr '{' '\n' <"$TMPD/progs.json" | awk '
	match($0, /"name":"[^"]*"/) { n = substr($0, RSTART + 8, RLENGTH - 9) }
	match($0, /"run_time_ns":[0-9]+/) { t = substr($0, RSTART + 14, RLENGTH - 14) }
	match($0, /"run_cnt":[0-9]+/) { c = substr($0, RSTART + 10, RLENGTH - 10);
		if (c > 0) printf "| %s | %d | %d | %.0f |\n", n, c, t, t / c }')
bpf_ns=$(echo "$costs" | awk -F'|' '{ s += $4 } END { print s + 0 }')
switch_ns=$(echo "$costs" | awk -F'|' '$2 ~ /sched_switch/ { print $5 + 0 }')

# ---- the report --------------------------------------------------------------------------
# ---- where the cost goes: a model from quieter measurements ---------------------------------
# System calls: every one on the machine takes the traced path while any
# system-call tracepoint is attached. Its price per call: perf bench syscall basic
# (getppid in a loop) with herdlab attached (to an idle process) and without,
# interleaved, the fastest of SYSCALL_TRIES each (a minimum sees through a busy
# machine, where a median would not); how many calls a request makes: raw_syscalls
# counted machine-wide over a run of the load.
SYSCALL_TRIES=${SYSCALL_TRIES:-7}
syscall_ns() { perf bench syscall basic -l 2000000 2>&1 | awk '/usecs\/op/ { printf "%.1f", $1 * 1000 }'; }
sleep 600 &
idle=$!
plain= traced=
for i in $(seq "$SYSCALL_TRIES"); do
	plain+="$(syscall_ns) "
	"$HERDLAB" trace --pid "$idle" --port 1 >/dev/null 2>&1 &
	tp=$!
	sleep 1
	traced+="$(syscall_ns) "
	kill -INT $tp
	wait $tp 2>/dev/null || true
	tp=
done
kill $idle
wait $idle 2>/dev/null || true
idle=
sys_plain=$(echo $plain | sorted | head -1)
sys_traced=$(echo $traced | sorted | head -1)
perf stat -e raw_syscalls:sys_enter -a -x, -o "$TMPD/sys.txt" -- \
	wrk -t 2 -c 32 -d "${RUN_S}s" -H 'Connection: close' "$URL" >"$TMPD/wrk.txt" 2>&1
sys_calls=$(awk -F, '/raw_syscalls:sys_enter/ { print $1 }' "$TMPD/sys.txt")
sys_reqs=$(awk '/requests in/ { print $1 }' "$TMPD/wrk.txt")

base=$(echo ${rps[none]} | median)
hz=$(getconf CLK_TCK)
{
	echo "# The tracer's overhead"
	echo
	echo "prefork-epoll-exclusive, 2 workers, GET /size/1K, wrk -t2 -c32 with 'Connection: close', ${RUN_S} s per run."
	echo "$ROUNDS rounds; in each, every observer beside an untraced run of its own (which runs first alternates"
	echo "by round). The ratio of a pair is that round's cost; shown: the median ratio, its distribution-free"
	echo "95% confidence interval (order statistics), and the extremes. Kernel $(uname -r), $(nproc) CPUs,"
	echo "$(date -u +%Y-%m-%d), herdlab $(git rev-parse --short HEAD 2>/dev/null || echo '?'). Load generator, server and observer share the cores."
	echo
	echo "| observer | requests/s (median) | of untraced (median of pairs) | 95% interval | pairs (min - max) | observer's own CPU |"
	echo "|---|---:|---:|---:|---:|---:|"
	echo "| none | $base | 100.0% | | | |"
	for tool in $tools; do
		read -r lo hi < <(echo ${ratio[$tool]} | ci95)
		min=$(echo ${ratio[$tool]} | sorted | head -1)
		max=$(echo ${ratio[$tool]} | sorted | tail -1)
		own=$(echo ${ticks[$tool]} | median)
		echo "| $tool | $(echo ${rps[$tool]} | median) | $(pct "$(echo ${ratio[$tool]} | median)") |" \
			"$(pct "$lo") - $(pct "$hi") | $(pct "$min") - $(pct "$max") |" \
			"$(awk -v t="$own" -v hz="$hz" -v s="$RUN_S" -v c="$(nproc)" 'BEGIN { printf "%.1f%%", 100 * t / hz / (s * c) }') |"
	done
	for tool in $tools; do
		[ -z "${dropped[$tool]:-}" ] ||
			echo "$tool: ${dropped[$tool]} of $ROUNDS pairs dropped, as herdlab never attached in them (not traced, so not timed)."
	done
	echo
	echo "The observer's own CPU: its user and system time over a run of the load, as a share of the"
	echo "machine's (median over rounds); perf's includes writing its file."
	echo
	echo "herdlab reads what a task sleeps in from its registers at sched_switch and keeps each"
	echo "target's counters in the task's own storage (Linux 5.15+); herdlab-entry is the same tracer"
	echo "as older kernels get it: the entry programs of the waiting calls, counters in a hash by"
	echo "thread id (HERDLAB_SYS_ENTER=1). syscall-tp is perf stat counting one system call's exit"
	echo "machine-wide: no BPF at all, only what any system-call tracepoint costs (below)."
	echo
	echo "BPF programs under the same load (kernel.bpf_stats_enabled), herdlab as on this kernel:"
	echo "time per event."
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
	echo "The statistics count their own two clock reads per event: sched_migrate_task, which for"
	echo "a task of nobody's does no more than look for its record, shows that floor."
	echo
	echo "## Where the cost goes"
	echo
	echo "The programs' run time is not all of it. Any system-call tracepoint makes every system call"
	echo "of every task on the machine (the load generator's too) take the kernel's traced entry and"
	echo "exit path; accepts can only be seen at the system call's exit here (no kprobes, no fentry),"
	echo "so that path stays$( [ -n "${ratio[syscall-tp]:-}" ] &&
		echo " (syscall-tp above, that path alone, ran at $(pct "$(echo ${ratio[syscall-tp]} | median)") of untraced)")."
	echo "inet_sock_set_state and sk_data_ready fire for both ends of each loopback connection, and"
	echo "ten state changes a connection make ten runs of inet_sock_set_state, three of which matter."
	echo
	awk -v p="$sys_plain" -v t="$sys_traced" -v calls="${sys_calls:-0}" -v reqs="${sys_reqs:-0}" \
		-v bpf="$bpf_ns" -v srps="$stats_rps" -v s="$RUN_S" -v rps="$base" -v cpus="$(nproc)" 'BEGIN {
		if (reqs <= 0 || srps <= 0) exit
		per = calls / reqs; sys = (t - p) * per; cpu = cpus * 1e9 / rps; b = bpf / (srps * s)
		printf "| part | per request | of the CPU a request gets (%.0f us) |\n", cpu / 1e3
		printf "|---|---:|---:|\n"
		printf "| system calls on the traced path: %.1f calls x %.0f ns more each (%.0f -> %.0f ns, fastest of the tries) | %.2f us | %.1f%% |\n", per, t - p, p, t, sys / 1e3, 100 * sys / cpu
		printf "| BPF programs (run time, counting the statistics own clock reads) | %.2f us | %.1f%% |\n", b / 1e3, 100 * b / cpu
		printf "| together | %.2f us | %.1f%%: about %.1f%% of untraced throughput |\n", (sys + b) / 1e3, 100 * (sys + b) / cpu, 100 * cpu / (cpu + sys + b)
	}'
	echo
	echo "Both parts are near their floor here: a switch or wakeup of a task nobody traces costs one"
	echo "load (its task-local storage pointer, empty), the tracepoints that fire for everyone return"
	echo "on their arguments, and what is left is the work a connection needs (its record made, found"
	echo "at accept, sent at close). With the"
	echo "clients on other machines, the load generator's system calls and the client ends' state"
	echo "changes (about half of each counted here) are off the traced machine."
	echo
	read -r lo hi < <(echo ${ratio[herdlab]} | ci95)
	awk -v v="$(goal_verdict "$lo" "$hi" 0.97)" -v m="$(echo ${ratio[herdlab]} | median)" -v sw="${switch_ns:-0}" 'BEGIN {
		printf "Goal: herdlab >= 97%% of untraced throughput: median %.1f%%, %s.\n", 100 * m, v
		printf "Goal: <= 300 ns per sched_switch event: %d ns, %s.\n", sw, (sw > 0 && sw <= 300) ? "met" : "missed"
	}'
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT"
tail -2 "$OUT"
