# bench_guest_tracer.guest.sh - the rounds of scripts/bench_guest_tracer.sh, run
# by busybox sh inside a herdlab kernels guest (herdlab kernels --guest-run), in
# /results. The host script puts the settings before it (MODEL, WORKERS, CLIENTS,
# RUN_S, ROUNDS, OBSERVERS) and reads back what it writes:
#
#	rounds.txt    "ROUND OBSERVER UNTRACED OBSERVED": requests/s of a pair
#	check-PATH/   trace.json of one traced run per path, not timed: which
#	              path the tracer took, and what it counted; bpf_stats, its
#	              programs' run time over that run
#
# A round is, for each observer, one run untraced and one traced right beside
# it, which of the two first alternating by round (as scripts/bench_tracer.sh
# does): the pair's ratio is the round's cost. An observer is `herdlab trace
# --pid` with --attach tracepoints or fexit, started and attached before its
# run (its loading, slow under emulation, is not timed) and stopped after it.
# Each step is marked on the console, so herdlab kernels sees progress.
PORT=8080
say() { echo "herdlab-guest: $*" >/dev/console; }

# until_line PATTERN FILE PID TENTHS WHAT [SHOW]: wait until FILE has a line
# matching PATTERN; if PID dies first, or TENTHS tenths of a second pass, say
# WHAT with the text of SHOW (default FILE) and stop the script.
until_line() {
	i=0
	until grep -q "$1" "$2" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt "$4" ] || ! kill -0 "$3" 2>/dev/null; then
			echo "$5:" >&2
			cat "${6:-$2}" >&2
			exit 1
		fi
		sleep 0.1
	done
}

herdsrv --model "$MODEL" --workers "$WORKERS" --port "$PORT" --quiet >/tmp/srv.out 2>/tmp/srv.err &
S=$!
until_line '^listening on' /tmp/srv.out $S 600 "herdsrv --model $MODEL did not start" /tmp/srv.err

# load: requests/s of one run of the herd study's load.
load() {
	herdload --port "$PORT" --clients "$CLIENTS" --duration "$RUN_S" --path /size/1K 2>&1 |
		sed -n 's/^ *throughput *\([0-9.]*\) requests\/s.*/\1/p'
}

# observe PATH [ARGS]: herdlab trace on the server by PATH, attached when it returns.
OBS=
observe() {
	OBS=
	[ "$1" = none ] && return 0
	path=$1
	shift
	# the last observer's "attached" must not be read as this one's: its file goes
	# first (the shell truncates it only in the child, which may not have run yet)
	rm -f /tmp/obs.err
	herdlab trace --pid "$S" --attach "$path" "$@" >/dev/null 2>/tmp/obs.err &
	OBS=$!
	until_line '^herdlab trace: attached' /tmp/obs.err $OBS 1800 \
		"herdlab trace --attach $path did not attach"
}
unobserve() {
	[ -n "$OBS" ] || return 0
	kill -INT "$OBS"
	wait "$OBS"
	OBS=
}
# with OBSERVER: requests/s of one run under it.
with() {
	observe "$1"
	v=$(load)
	unobserve
	echo "${v:-0}"
}

: >rounds.txt
r=1
while [ $r -le "$ROUNDS" ]; do
	for tool in $OBSERVERS; do
		say "model round-$r-$tool $r $ROUNDS"
		if [ $((r % 2)) -eq 1 ]; then
			b=$(with none)
			v=$(with "$tool")
		else
			v=$(with "$tool")
			b=$(with none)
		fi
		echo "$r $tool $b $v" >>rounds.txt
	done
	r=$((r + 1))
done

# bpf_ns PID: the run time of PID's BPF programs so far (bpf_stats), from its descriptors
bpf_ns() {
	t=0
	for f in /proc/$1/fdinfo/*; do
		v=$(sed -n 's/^run_time_ns:[[:space:]]*//p' "$f" 2>/dev/null)
		[ -n "$v" ] && t=$((t + v))
	done
	echo $t
}

# One traced run per path, not timed: what the tracer took and counted, and its
# programs' own run time (bpf_stats, on for this run only) over the guest's CPUs
# ("NS T0 T1 CPUS" in bpf_stats: nanoseconds, the run's start and end in
# /proc/uptime seconds, the vCPUs).
for tool in $OBSERVERS; do
	say "model check-$tool 1 1"
	mkdir -p "check-$tool"
	observe "$tool" --out "/tmp/check-$tool"
	echo 1 >/proc/sys/kernel/bpf_stats_enabled
	t0=$(cut -d' ' -f1 /proc/uptime)
	load >"check-$tool/rps"
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo "$(bpf_ns "$OBS") $t0 $t1 $(grep -c '^processor' /proc/cpuinfo)" >"check-$tool/bpf_stats"
	echo 0 >/proc/sys/kernel/bpf_stats_enabled
	unobserve
	cp "/tmp/check-$tool/trace.json" "check-$tool/" 2>/dev/null
	cp /tmp/obs.err "check-$tool/trace.err"
done
kill -TERM $S
wait $S
exit 0
