#!/usr/bin/env bash
# test_profile.sh - the profiler's numbers are true: a known answer (/cpu/USEC:
# the burn function's share of the samples against the CPU the requests asked
# for; /sleep/MSEC: almost no samples), fork against prefork at the same
# connection count (the fork, exit and page-fault buckets hold most of fork's
# extra kernel time), every bucket against perf record -e cpu-clock -g over the
# same run (the same bucket table applied to perf's stacks), --profile-all's
# labels, and a clean detach: after SIGINT, SIGTERM and the target's death none
# of the sampler's programs, links or maps is left (by id, from its own
# profile.json), and profile.folded and profile.svg are whole or absent.
#
# Needs root and BPF: skips with the reason otherwise (and fails under CI=true).
source "$(dirname "$0")/lib.sh"
BUCKETS=$ROOT/$BUILD/tests/tools/profile_buckets
HZ=999

require_tracer "profiler validation"

TRACE_PID= PERF_PID=
trap '[ -n "$TRACE_PID" ] && kill -INT $TRACE_PID 2>/dev/null && wait $TRACE_PID;
	[ -n "$PERF_PID" ] && kill -INT $PERF_PID 2>/dev/null && wait $PERF_PID;
	srv_kill_quietly; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

j() { "$JSONGET" "$1" "$2"; }
# run DIR MODEL ARGS...: herdlab run --profile=HZ into $TMP/DIR.
run() {
	local name=$1 m=$2
	shift 2
	"$HERDLAB" run --model "$m" --out "$TMP/$name" --profile=$HZ "$@" >"$TMP/$name.out" 2>&1
}
# bucket DIR NAME: that bucket's samples in run.json.
bucket() { j "$TMP/$1/run.json" "profile.buckets.$2.samples"; }
# Samples of the stacks in FILE (folded) matching REGEX.
folded_samples() { awk -v re="$2" '$0 ~ re { s += $NF } END { print s + 0 }' "$1"; }

# ---- a known answer: /cpu/USEC --------------------------------------------------------------
REQ=211 USEC=5000
run cpu prefork --workers 2 --clients 2 --requests $REQ --path /cpu/$USEC
ok "[ \"\$(j $TMP/cpu/run.json complete)\" = true ]" "/cpu run completes ($(tail -1 "$TMP/cpu.out"))"
for f in profile.folded profile.svg profile.json; do
	ok "[ -s $TMP/cpu/$f ]" "the run directory has $f"
done
samples=$(j "$TMP/cpu/run.json" profile.samples)
burn=$(folded_samples "$TMP/cpu/profile.folded" 'herdsrv_burn_cpu')
cpu_ns=$(j "$TMP/cpu/run.json" cost.server.cpu_ns)
read -r got want < <(awk -v b="$burn" -v s="$samples" -v c="$cpu_ns" -v r=$REQ -v u=$USEC \
	'BEGIN { printf "%.1f %.1f\n", 100 * b / s, 100 * r * u * 1000 / c }')
ok "awk 'BEGIN { exit !($got - $want <= 5 && $want - $got <= 5) }'" \
	"herdsrv_burn_cpu holds $got% of the server's samples; the requests asked for $want% of its CPU (within 5 points)"
ok "[ \"\$(j $TMP/cpu/run.json profile.hz)\" = $HZ ]" "profile.hz is $HZ"
ok "awk 'BEGIN { exit !($samples / $HZ > 0.7 * $cpu_ns / 1e9) }'" \
	"$samples samples stand for most of the server's $(awk -v c="$cpu_ns" 'BEGIN { printf "%.2f", c / 1e9 }') s of CPU"
ok "grep -q '_\[k\] [0-9]*$' $TMP/cpu/profile.folded && grep -q 'handle_request;herdsrv_burn_cpu' $TMP/cpu/profile.folded" \
	"profile.folded has kernel frames (_[k]) and whole user stacks (frame pointers)"
ok "grep -q '<title>herdsrv_burn_cpu (' $TMP/cpu/profile.svg && tail -1 $TMP/cpu/profile.svg | grep -q '</svg>'" \
	"profile.svg is a whole flame graph with the burn function's share on hover"
"$HERDLAB" report --format html "$TMP/cpu" >"$TMP/cpu.html" 2>/dev/null
ok "grep -q 'Where the CPU went' $TMP/cpu.html && grep -q 'herdsrv_burn_cpu (' $TMP/cpu.html" \
	"the HTML report has the section and the flame graph inline"

# ---- /sleep/MSEC: almost no samples ---------------------------------------------------------------
t0=$(date +%s%N)
run sleep prefork --workers 2 --clients 4 --requests 23 --path /sleep/50
wall=$(($(date +%s%N) - t0))
s=$(j "$TMP/sleep/run.json" profile.samples)
ok "awk 'BEGIN { exit !($s <= 5 + 0.02 * $wall / 1e9 * $HZ) }'" \
	"/sleep/50: $s samples of the server in $(awk -v w=$wall 'BEGIN { printf "%.1f", w / 1e9 }') s (almost none)"

# ---- fork against prefork at the same connection count --------------------------------------------
CONNS=1009
run fork fork --clients 4 --requests $CONNS --path /size/1K --profile-all
run prefork prefork --workers 2 --clients 4 --requests $CONNS --path /size/1K
kernel() { # DIR: the server's kernel samples (every bucket but user code)
	echo $(($(j "$TMP/$1/run.json" profile.samples) - $(bucket "$1" user)))
}
extra=$(($(kernel fork) - $(kernel prefork)))
fep() { echo $(($(bucket "$1" fork) + $(bucket "$1" exit) + $(bucket "$1" page_fault))); }
extra_fep=$(($(fep fork) - $(fep prefork)))
ok "[ $extra -gt 0 ] && [ $((2 * extra_fep)) -gt $extra ]" \
	"fork's kernel samples beyond prefork's: $extra, of which fork+exit+page faults $extra_fep (most)"
ok "[ \"\$(j $TMP/fork/run.json profile.labels.load_generator)\" -gt 0 ] && [ \"\$(j $TMP/fork/run.json profile.labels.target)\" = \"\$(j $TMP/fork/run.json profile.samples)\" ]" \
	"--profile-all labels the load generator's samples apart, and the buckets hold the target's only"
ok "grep -q '^load_generator;herdload' $TMP/fork/profile.folded" "--profile-all's stacks start with their label"
"$HERDLAB" compare "$TMP/fork" "$TMP/prefork" >"$TMP/compare.txt" 2>&1
ok "grep -q 'Where the CPU went (us of CPU per request)' $TMP/compare.txt" "compare shows the buckets side by side"

# ---- agreement with perf record -e cpu-clock -g -------------------------------------------------
if ! command -v perf >/dev/null; then
	fail "perf agreement" "perf (linux-perf) is not installed"
else
	# Sampling error is independent between the two (about 3000 samples each): a
	# bucket's two shares may differ by 4 standard errors of a difference of two
	# proportions, sqrt(p(1-p)(1/n1+1/n2)), plus 1 point for the windows' edges
	# (perf starts before the run and stops after it). At p = 0.3 that is 5.7
	# points, at p = 0.05 3.3: a bucket missing or counted twice is far beyond it.
	PERF_HZ=4999
	perf record -q -e cpu-clock -F $PERF_HZ -g -a -o "$TMP/perf.data" >/dev/null 2>&1 &
	PERF_PID=$!
	sleep 1
	run perf prefork --workers 2 --clients 4 --requests 20011 --path /size/1K --profile=$PERF_HZ
	kill -INT $PERF_PID
	wait $PERF_PID 2>/dev/null
	PERF_PID=
	pids=$(awk -F, 'NR > 1 { print $2 }' "$TMP/perf/tasks.csv" | sort -u | tr '\n' ' ')
	perf script -i "$TMP/perf.data" -F pid,tid,ip,sym,dso 2>/dev/null |
		awk -v PIDS="$pids" -f "$ROOT/tests/integration/fold_perf.awk" >"$TMP/perf.folded"
	"$BUCKETS" <"$TMP/perf.folded" >"$TMP/perf.buckets"
	"$BUCKETS" <"$TMP/perf/profile.folded" >"$TMP/ours.buckets"
	# the bucket nearest its bound: "D BOUND BUCKET PERF_TOTAL OURS_TOTAL" (points)
	worst=$(join "$TMP/perf.buckets" "$TMP/ours.buckets" | awk '
		$1 == "total" { pt = $2; ot = $3; next } { p[$1] = $2; o[$1] = $3 }
		END { r = -1; for (b in p) { a = p[b] / pt; c = o[b] / ot; d = 100 * (a - c);
			d = d < 0 ? -d : d; q = (a + c) / 2;
			bound = 1 + 400 * sqrt(q * (1 - q) * (1 / pt + 1 / ot));
			if (d / bound > r) { r = d / bound; w = d; wb = b; wbound = bound } }
			printf "%.1f %.1f %s %d %d", w, wbound, wb, pt, ot }')
	read -r w wbound wb pt ot <<<"$worst"
	ok "[ $pt -gt 1000 ] && awk 'BEGIN { exit !($w <= $wbound) }'" \
		"every bucket's share within sampling error of perf's (nearest its bound: $wb, $w of $wbound points; perf $pt samples, herdlab $ot)"
fi

# ---- a clean detach ---------------------------------------------------------------------------------
# trace_profiled NAME: herdlab trace --profile of a prefork server under load; sets TRACE_PID.
trace_profiled() {
	local i port=
	"$HERDLAB" trace --profile=$HZ --out "$TMP/$1" -- "$HERDSRV" --model prefork --workers 2 \
		--port 0 >"$TMP/$1.stdout" 2>"$TMP/$1.err" &
	TRACE_PID=$!
	for i in $(seq 100); do
		port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$TMP/$1.stdout" | head -1)
		[ -n "$port" ] && break
		sleep 0.1
	done
	"$ROOT/$BUILD/herdload" --port "${port:-1}" --requests 2003 --clients 4 --path /cpu/100 \
		--quiet >/dev/null 2>&1
}
# left NAME: how many of the sampler's programs, links and maps (profile.json's ids) remain.
left() {
	local f=$TMP/$1/profile.json kind i id ids= n=0
	for kind in prog link map; do
		i=0
		while id=$(j "$f" "bpf.${kind}_ids.$i" 2>/dev/null) && [ -n "$id" ]; do
			ids+="$kind:$id "
			i=$((i + 1))
		done
	done
	[ -n "$ids" ] || { echo "no ids in $f"; return; }
	for i in $(seq 40); do
		n=0
		for id in $ids; do bpftool "${id%%:*}" show id "${id#*:}" >/dev/null 2>&1 && n=$((n + 1)); done
		[ $n -eq 0 ] && break
		sleep 0.05
	done
	echo $n
}
whole_or_absent() {
	local d=$TMP/$1
	{ [ ! -e "$d/profile.svg" ] || tail -1 "$d/profile.svg" | grep -q '^</svg>$'; } &&
		{ [ ! -e "$d/profile.folded" ] || ! grep -qv ' [0-9][0-9]*$' "$d/profile.folded"; } &&
		! ls "$d" | grep -q '\.tmp\.'
}
for how in INT TERM KILL-TARGET; do
	trace_profiled "detach-$how"
	if [ $how = KILL-TARGET ]; then
		kill -KILL "$(pgrep -P $TRACE_PID -x herdsrv | head -1)" 2>/dev/null
	else
		kill -$how $TRACE_PID
	fi
	wait $TRACE_PID
	TRACE_PID=
	ok "[ -s $TMP/detach-$how/profile.json ]" "$how: profile.json written"
	is "$(left "detach-$how")" 0 "$how: none of the sampler's programs, links (perf events) and maps left, by id"
	ok "whole_or_absent detach-$how" "$how: profile.folded and profile.svg whole, no temporary file left"
done

# ---- refused ------------------------------------------------------------------------------------------
"$HERDLAB" run --model prefork --no-trace --profile --out "$TMP/refused" >/dev/null 2>&1
is "$?" 2 "--profile with --no-trace is refused (the profiler samples the tracer's targets)"
ok "[ ! -e $TMP/refused ]" "... and leaves no directory"

echo "1..$TAP_N"
