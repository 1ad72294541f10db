#!/usr/bin/env bash
# test_tracer.sh - the tracer's numbers are true: known-answer workloads on
# every model (a prime number of sequential connections, 2003), herd bounds, the
# accept queue's peak, zombies under each reap policy, context switches against
# perf stat over the same tasks (and, for tasks that end while traced, against
# perf record), --pid against a started server, and nothing left loaded after.
#
# Needs root and BPF: skips with the reason otherwise (and fails under CI=true).
source "$(dirname "$0")/lib.sh"
N=2003

require_tracer "tracer validation"

TRACE_PID=
# Never leave a tracer (and the server it started) behind, however the script ends.
trap '[ -n "$TRACE_PID" ] && kill -INT $TRACE_PID 2>/dev/null && wait $TRACE_PID; srv_kill_quietly; rm -rf "$TMP"' EXIT

j() { "$JSONGET" "$TRACE_DIR/trace.json" "$1"; }
# The ids of the programs, links or maps this tracer had (trace.json), one per line.
own_ids() {
	local kind=$1 i=0 id
	while id=$(j "tracer.${kind}_ids.$i" 2>/dev/null) && [ -n "$id" ]; do
		echo "$id"
		i=$((i + 1))
	done
}
# How many of them the kernel still has. Programs are freed asynchronously after
# their last link closes: allow 2 s. By id, so that another tracer on the machine
# cannot change the answer.
left_loaded() {
	local progs links maps i n=0 id
	progs=$(own_ids program) links=$(own_ids link) maps=$(own_ids map)
	[ -n "$progs" ] || { echo "no ids in trace.json"; return; }
	for i in $(seq 40); do
		n=0
		for id in $progs; do bpftool prog show id "$id" >/dev/null 2>&1 && n=$((n + 1)); done
		for id in $links; do bpftool link show id "$id" >/dev/null 2>&1 && n=$((n + 1)); done
		for id in $maps; do bpftool map show id "$id" >/dev/null 2>&1 && n=$((n + 1)); done
		[ $n -eq 0 ] && break
		sleep 0.05
	done
	echo $n
}

# trace_start MODEL ARGS...: herdlab trace -- herdsrv ...; sets TRACE_PID, SRV_PORT, TRACE_DIR.
# TRACE_ARGS: herdlab trace's own options (--attach fexit).
trace_start() {
	local m=$1 i
	shift
	TRACE_DIR=$TMP/trace.$m.$RANDOM
	"$HERDLAB" trace ${TRACE_ARGS:-} --out "$TRACE_DIR" -- "$HERDSRV" --model "$m" --port 0 --quiet "$@" \
		>"$TRACE_DIR.out" 2>"$TRACE_DIR.err" &
	TRACE_PID=$!
	for i in $(seq 200); do
		grep -q '^listening on' "$TRACE_DIR.out" 2>/dev/null && break
		kill -0 $TRACE_PID 2>/dev/null || break
		sleep 0.05
	done
	SRV_PORT=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$TRACE_DIR.out")
	[ -n "$SRV_PORT" ] || { sed 's/^/# /' "$TRACE_DIR.err" | tail -5; return 1; }
}

# trace_stop [SIGNAL]: stop the tracer (it stops the server), wait for its report.
trace_stop() {
	kill -"${1:-INT}" $TRACE_PID
	wait $TRACE_PID
}

sequential() { ab -q -n "$1" -c 1 "http://127.0.0.1:$SRV_PORT/${2:-size/1K}" 2>&1 | grep -q '^Failed requests: *0'; }

# traced MODEL ARGS...: trace the model through N sequential connections, then stop;
# whatever fails is reported, and the tracer is always stopped.
traced() {
	local m=$1
	if ! trace_start "$@"; then
		fail "$m: starts under the tracer"
		return 1
	fi
	sequential $N || fail "$m: ab completes $N sequential requests under the tracer"
	sleep 0.3 # let the last exits and reaps arrive
	trace_stop INT
	[ -s "$TRACE_DIR/trace.json" ] || { fail "$m: the tracer wrote trace.json"; return 1; }
}

# ---- every model: accepted and established, exactly -------------------------------
for m in $(all_models); do
	traced "$m" --workers 8 &&
		is "$(j accept.accepted)/$(j tcp.established)" "$N/$N" "$m: accept.accepted and tcp.established = $N"
done

# ---- connections.csv: one closed record per connection ---------------------------------
traced prefork-epoll --workers 8
csv=$TRACE_DIR/connections.csv
is "$(tail -n +2 "$csv" | wc -l)" $N "connections.csv: one row per connection ($N)"
is "$(awk -F, 'NR > 1 && $7 > $5 && $5 >= $4 && $4 > 0' "$csv" | wc -l)" $N \
	"every connection: established <= accepted < closed"
# A client port is reused once its TIME_WAIT may be (tcp_tw_reuse, after 1 s), so two
# records may share one; never two open at once.
overlaps=$(awk -F, 'NR > 1 { print $2, $4, $7 }' "$csv" | sort -k1,1n -k2,2n |
	awk '$1 == port && $2 < closed { n++ } { port = $1; closed = $3 } END { print n + 0 }')
is "$overlaps" 0 "no client port in two connections at once"
is "$(awk -F, 'NR > 1 { s += $8 } END { print s }' "$csv")" "$(j accept.wakeups)" \
	"the wakeups attributed to connections add up to accept.wakeups"

# ---- the raw_tp twins (kernels without tp_btf) count the same ---------------------------
for m in prefork-epoll fork; do
	HERDLAB_RAW_TP=1 traced $m --workers 8 &&
		is "$(j accept.accepted)/$(j tcp.established)/$(j tracer.raw_tp)" "$N/$N/true" \
			"$m with the raw_tp twins: accepted and established = $N"
done
ok "awk 'BEGIN { exit !($(j proc.forks) >= $N) }'" "raw_tp twins: every fork seen ($(j proc.forks))"

# ---- what a task waits in: read from its registers (5.15+), or recorded at entry ---------
# Both ways must classify the same waits: a model that sleeps in two calls
# (accept, and a futex around it) gets about one wakeup of each kind per
# connection either way (how many lock waiters a release finds varies by run).
kinds() {
	awk -v a="$(j accept.wakeups_by_wait.accept)" -v l="$(j accept.wakeups_by_wait.lock)" \
		-v e="$(j accept.wakeups_by_wait.epoll)" -v n=$N \
		'BEGIN { exit !(a >= 0.9 * n && a <= 1.1 * n && l >= n / 2 && l <= 1.5 * n && e == 0) }'
}
traced prefork-mutex --workers 8
is "$(j tracer.wait_from)/$(j tracer.records)" registers/task_storage \
	"waits are read from registers, records kept in task storage on this kernel"
ok kinds "registers: accept and lock wakeups about one each per connection ($(j accept.wakeups_by_wait.accept), $(j accept.wakeups_by_wait.lock))"
HERDLAB_SYS_ENTER=1 traced prefork-mutex --workers 8
is "$(j tracer.wait_from)/$(j tracer.records)/$(j accept.accepted)" "sys_enter/hash/$N" \
	"with the entry programs instead (records in a hash): $N accepted"
ok kinds "entry programs: the same kinds, about one each ($(j accept.wakeups_by_wait.accept), $(j accept.wakeups_by_wait.lock))"

# ---- accept's exit with probe reads (before 6.2: no bpf_rdonly_cast) counts the same -----
HERDLAB_NO_CAST=1 traced prefork-epoll-exclusive --workers 8 &&
	is "$(j accept.accepted)/$(j tcp.established)" "$N/$N" \
		"accept's exit with probe reads instead of bpf_rdonly_cast: accepted and established = $N"

# ---- the path of accepts, forks and reaps: fexit where trampolines attach -----------------
# auto takes fexit where it can run; forced where it cannot, it is a clear error.
fexit_out=$("$HERDLAB" trace --attach fexit -- true 2>&1)
fexit_rc=$?
if [ $fexit_rc -eq 0 ]; then
	for m in prefork-epoll fork; do
		TRACE_ARGS="--attach fexit" traced $m --workers 8 &&
			is "$(j accept.accepted)/$(j tcp.established)/$(j tracer.attach)" "$N/$N/fexit" \
				"$m at fexit: accepted and established = $N"
	done
	ok "awk 'BEGIN { exit !($(j proc.forks) >= $N) }'" "fexit: every fork seen ($(j proc.forks))"
else
	clear=no
	[[ $fexit_out == *"--attach fexit: this kernel refuses fentry/fexit programs"*"--attach tracepoints or auto"* ]] &&
		clear=yes
	is "$fexit_rc/$clear" 1/yes "--attach fexit where fentry/fexit is refused: exit 1 and why ($(echo "$fexit_out" | grep -o 'refuses.*failed: [^)]*'))"
	TRACE_ARGS="--attach auto" traced prefork-epoll-exclusive --workers 8 &&
		is "$(j tracer.attach)/$(j accept.accepted)" "tracepoints/$N" \
			"--attach auto here: system-call tracepoints (tracer.attach), $N accepted"
	ok "grep -q 'fentry/fexit refused here' '$TRACE_DIR.err'" "the choice is logged"
fi

# ---- herd bounds (8 workers) -----------------------------------------------------------
herd() { awk -v w="$(j accept.wakeups_per_accept)" -v lo="$1" -v hi="$2" 'BEGIN { exit !(w >= lo && w <= hi) }'; }
traced prefork --workers 8
ok "herd 0.9 1.2" "prefork: herd factor <= 1.2 ($(j accept.wakeups_per_accept))"
traced prefork-epoll --workers 8
ok "herd 5.0 9.0" "prefork-epoll: herd factor >= 5.0 ($(j accept.wakeups_per_accept))"
ok "[ $(j accept.futile_wakeups) -gt $(( $(j accept.wakeups) / 2 )) ]" \
	"prefork-epoll: most wakeups are futile ($(j accept.futile_wakeups) of $(j accept.wakeups))"
traced prefork-epoll-exclusive --workers 8
ok "herd 0.9 1.5" "prefork-epoll-exclusive: herd factor <= 1.5 ($(j accept.wakeups_per_accept))"
traced prefork-mutex --workers 8
acc=$(j accept.wakeups_by_wait.accept || echo 0)
ok "[ $acc -ge $((N * 9 / 10)) ] && [ $acc -le $((N * 11 / 10)) ]" \
	"prefork-mutex: accept wakeups near 1 per connection ($acc)"
ok "[ $(j accept.wakeups_by_wait.lock) -gt $((N / 2)) ]" \
	"prefork-mutex: lock wakeups reported separately ($(j accept.wakeups_by_wait.lock))"

# ---- the accept queue at its deepest: a known answer, and the kernel's own view -------------
# The iterative server sleeps 3 s in one request while 20 clients connect: their
# handshakes complete and they wait, all 20, in the accept queue (which ss shows as
# the listener's Recv-Q), then leave it one by one. ss is asked until it shows all 20
# (20 curls take a while to start on a busy machine), well before the sleep ends.
# The sleeper must be inside its request before they come.
if trace_start iterative; then
	curl -s -o /dev/null "http://127.0.0.1:$SRV_PORT/sleep/3000" &
	clients=$!
	# the sleeper first, accepted (the server's end established, the queue empty):
	# a client that got in before it would be served, not queued
	for i in $(seq 100); do
		[ "$(ss -Htn state established "sport = :$SRV_PORT" | wc -l)" -ge 1 ] && break
		sleep 0.05
	done
	sleep 0.2
	for i in $(seq 20); do
		curl -s -o /dev/null "http://127.0.0.1:$SRV_PORT/size/1K" &
		clients+=" $!"
	done
	for i in $(seq 40); do
		kernel_q=$(ss -Hltn "sport = :$SRV_PORT" | awk '{ print $2 }')
		[ "$kernel_q" = 20 ] && break
		sleep 0.05
	done
	wait $clients
	trace_stop INT
	is "$(j tcp.accept_queue_peak)/$kernel_q" "20/20" \
		"accept queue peak: 20, as the kernel's Recv-Q showed while they waited"
else
	fail "iterative: starts under the tracer"
fi

# ---- fork and reaping -------------------------------------------------------------------
traced fork --reap none
ok "[ $(j proc.zombies_peak) -ge $((N * 9 / 10)) ]" \
	"fork --reap none: zombies peak >= 90% of connections ($(j proc.zombies_peak))"
traced fork --reap ignore
is "$(j proc.unreaped)" 0 "fork --reap ignore: nothing unreaped"
ok "awk 'BEGIN { exit !($(j proc.zombie_lifetime.max) < 1000) }'" \
	"fork --reap ignore: zombie lifetime near zero (max $(j proc.zombie_lifetime.max) us)"
is "$(j proc.reaped_by.auto)" $N "fork --reap ignore: every child reaped automatically"
traced fork --reap sigchld
is "$(j proc.zombie_lifetime.count)" $N "fork --reap sigchld: a zombie lifetime for every child"
is "$(j proc.reaped_by.parent)" $N "fork --reap sigchld: every child reaped by its parent"

# ---- zombies of a server traced by --pid, the trace ending before the server ---------------
# The answer is what ps sees when the trace ends: with no reaping, every child a
# zombie still; with a SIGCHLD handler, every exit reaped by the parent and none
# released at exit; with SIGCHLD ignored, every exit released at exit.
for reap in none sigchld ignore; do
	srv_start fork --reap $reap --quiet || { fail "fork --reap $reap starts"; continue; }
	TRACE_DIR=$TMP/trace.zpid.$reap
	"$HERDLAB" trace --pid "$SRV_PID" --out "$TRACE_DIR" >"$TRACE_DIR.out" 2>&1 &
	TRACE_PID=$!
	sleep 1
	sequential $N || fail "fork --reap $reap: $N sequential requests"
	sleep 0.3
	trace_stop INT
	TRACE_PID=
	zombies=$(srv_zombies)
	exits=$(j proc.exits)
	case $reap in
	none)
		is "$(j proc.unreaped)/$(j proc.zombies_peak)/$exits" "$N/$N/$N" \
			"--pid, --reap none: unreaped = zombies peak = exits = $N"
		is "$zombies" $N "--pid, --reap none: and ps shows $N zombie children" ;;
	sigchld)
		is "$(j proc.reaped_by.auto)/$(j proc.reaped_by.parent)/$exits" "0/$N/$N" \
			"--pid, --reap sigchld: auto 0, parent = exits = $N"
		is "$(j proc.reapers.0.pid)/$(j proc.reapers.0.reaped)" "$SRV_PID/$N" \
			"--pid, --reap sigchld: the reaper named is the server ($SRV_PID)" ;;
	ignore)
		is "$(j proc.reaped_by.auto)/$(j proc.reaped_by.parent)/$exits" "$N/0/$N" \
			"--pid, --reap ignore: auto = exits = $N" ;;
	esac
	ok srv_stop "fork --reap $reap: the server stops cleanly after being traced"
done

# ---- names follow exec; who reaped is named -------------------------------------------------
# herdlab run forks the server held and makes it a target before it execs herdsrv.
RUN_DIR=$TMP/run.comm
if "$HERDLAB" run --model fork --reap none --requests 101 --clients 1 --out "$RUN_DIR" \
	>"$RUN_DIR.out" 2>&1; then
	is "$(awk -F, 'NR > 1 && $4 != "herdsrv"' "$RUN_DIR/tasks.csv" | wc -l)" 0 \
		"herdlab run: every task is named herdsrv, the server's own too (comm follows exec)"
	rj() { "$JSONGET" "$RUN_DIR/run.json" "$1"; }
	ok "[ \"\$(rj trace.proc.reapers.1.comm)\" = herdlab ] && [ \"\$(rj trace.proc.reaped_by.init)\" = 0 ]" \
		"herdlab run: the server, reaped by herdlab, is reaped by its parent, not by init"
else
	fail "herdlab run --model fork --reap none" "$(tail -3 "$RUN_DIR.out")"
fi

# ---- the kernel's histograms against bpftrace's count of the same --------------------------
# Run-queue latency (woken or preempted -> on a CPU) of the server's tasks, every
# sample printed by bpftrace; p50 and p99 of ours within one of our slots (1/16). A
# preempted task's prev_state is TASK_REPORT_MAX, no sleeping bit (0x7f) set.
if command -v bpftrace >/dev/null; then
	srv_start prefork --workers 4 --quiet && srv_wait_children 4
	cond=""
	for p in $SRV_PID $(ps -o pid= --ppid $SRV_PID); do cond="$cond${cond:+ || }\$p == $p"; done
	cat >"$TMP/runq.bt" <<-EOF
		tracepoint:sched:sched_waking { \$p = args->pid; if ($cond) { @q[\$p] = nsecs; } }
		tracepoint:sched:sched_wakeup_new { \$p = args->pid; if ($cond) { @q[\$p] = nsecs; } }
		tracepoint:sched:sched_switch {
			\$p = args->prev_pid;
			if (($cond) && (args->prev_state & 0x7f) == 0) { @q[\$p] = nsecs; }
			\$n = args->next_pid;
			if (@q[\$n]) { printf("%d\\n", nsecs - @q[\$n]); delete(@q[\$n]); }
		}
	EOF
	# herdlab first: programs on one tracepoint run in the order they were attached,
	# and each reads the clock when it runs, so the later one's times include the
	# earlier one's own run time (bpftrace's printf first would add microseconds to ours).
	TRACE_DIR=$TMP/trace.hist
	"$HERDLAB" trace --pid "$SRV_PID" --out "$TRACE_DIR" >"$TRACE_DIR.out" 2>&1 &
	TRACE_PID=$!
	sleep 1
	bpftrace "$TMP/runq.bt" >"$TMP/runq.out" 2>"$TMP/runq.err" &
	bt=$!
	for i in $(seq 200); do grep -q '^Attaching' "$TMP/runq.out" && break; sleep 0.05; done
	sleep 0.5
	sequential $N
	kill -TERM $bt
	wait $bt
	trace_stop INT
	TRACE_PID=
	grep -E '^[0-9]+$' "$TMP/runq.out" | sort -n >"$TMP/runq.sorted"
	pct() { awk -v p="$1" '{ v[NR] = $1 } END { r = int(p / 100 * NR); if (r < p / 100 * NR) r++; if (r < 1) r = 1; print v[r] }' "$TMP/runq.sorted"; }
	for p in 50 99; do
		ours=$(j sched.runq_latency.p$p) theirs=$(pct $p)
		ok "awk 'BEGIN { d = $ours - ${theirs:-0}; if (d < 0) d = -d; exit !(${theirs:-0} > 0 && d <= $ours / 16 + 1) }'" \
			"run-queue latency p$p: ours $ours ns, bpftrace ${theirs:-?} ns (within one slot)"
	done
	ok srv_stop "prefork stops cleanly"
else
	fail "run-queue latency against bpftrace" "bpftrace is not installed (scripts/deps.sh)"
fi

# ---- context switches against perf stat, same tasks, same interval ----------------------
srv_start prefork-epoll --workers 8 --quiet || fail "prefork-epoll starts"
srv_wait_children 8 || fail "prefork-epoll forks its 8 workers"
pids=$(echo $SRV_PID $(ps -o pid= --ppid $SRV_PID) | tr ' ' ',')
perf stat -e sched:sched_switch -x, -o "$TMP/perf.txt" -p "$pids" &
perf_pid=$!
TRACE_DIR=$TMP/trace.pid
"$HERDLAB" trace --pid $SRV_PID --out "$TRACE_DIR" >"$TRACE_DIR.out" 2>&1 &
TRACE_PID=$!
sleep 1
sequential $N
kill -INT $TRACE_PID $perf_pid
wait $TRACE_PID $perf_pid
perf_n=$(awk -F, '/sched:sched_switch/ { print $1 }' "$TMP/perf.txt")
ours=$(j sched.switches)
ok "awk 'BEGIN { d = $ours - ${perf_n:-0}; if (d < 0) d = -d; exit !(${perf_n:-0} > 0 && d <= 0.02 * ${perf_n:-0}) }'" \
	"context switches: ours $ours, perf stat ${perf_n:-?} (within 2%)"
is "$(j accept.accepted)/$(j tcp.established)" "$N/$N" "--pid on a running server: accepted and established = $N"
pid_herd=$(j accept.wakeups_per_accept)
ok "awk 'BEGIN { exit !($pid_herd >= 5.0) }'" "--pid: the same herd as a started server ($pid_herd)"
ok "srv_stop" "the server stops cleanly after being traced"

# ---- tasks that come and go: their final records against perf ----------------------
# A thread or a process per connection: each one ends while traced, so its counts
# reach us only in its final record (sent at its last switch where records live in
# task storage). perf stat cannot check these: a task's counters are detached in
# do_exit before its last switch (and before the preemption its SIGCHLD to the
# parent often causes). So the independent count is perf record -a over the same
# interval: every sched_switch whose prev task is one of the server's (by tgid).
for spec in "thread" "fork --reap sigchld"; do
	srv_start $spec --quiet || { fail "$spec starts"; continue; }
	perf_data=$TMP/perf.${spec%% *}.data
	perf record -q -e sched:sched_switch -a -o "$perf_data" >/dev/null 2>&1 &
	perf_pid=$!
	TRACE_DIR=$TMP/trace.gone.${spec%% *}
	"$HERDLAB" trace --pid "$SRV_PID" --out "$TRACE_DIR" >"$TRACE_DIR.out" 2>&1 &
	TRACE_PID=$!
	sleep 1
	sequential $N || fail "$spec: $N sequential requests"
	sleep 0.3
	trace_stop INT
	kill -INT $perf_pid
	wait $perf_pid
	# Only this server's tasks (by tgid), not every herdsrv on the machine.
	tgids=" $(awk -F, 'NR > 1 { print $2 }' "$TRACE_DIR/tasks.csv" | sort -u | tr '\n' ' ') "
	perf_n=$(perf script -i "$perf_data" -F pid,trace 2>/dev/null |
		awk -v set="$tgids" '/prev_comm=herdsrv / && index(set, " " $1 " ") { n++ } END { print n + 0 }')
	ours=$(j sched.switches)
	ok "awk 'BEGIN { d = ${ours:-0} - ${perf_n:-0}; if (d < 0) d = -d; exit !(${perf_n:-0} > $N && d <= 0.02 * ${perf_n:-0}) }'" \
		"$spec: switches of tasks that ended: ours ${ours:-?}, perf record ${perf_n:-?} (within 2%)"
	is "$(tail -n +2 "$TRACE_DIR/tasks.csv" | wc -l)" $((N + 1)) \
		"$spec: a record for the server and for each of its $N tasks"
	ok srv_stop "$spec: the server stops cleanly after being traced"
done

# ---- a clear refusal without privileges ------------------------------------------------
# A copy nobody can run: the checkout may be where nobody can reach it (under /root).
mkdir -p "$TMP/nb" && cp "$HERDLAB" "$TMP/nb/" && chmod 755 "$TMP" "$TMP/nb"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$TMP/nb/herdlab" trace --pid $$ 2>&1)
rc=$?
ok "[ $rc -ne 0 ] && grep -q 'needs root' <<<\"\$out\"" "without root: refused, saying why (exit $rc)"

# ---- --cgroup: the processes of a cgroup ------------------------------------------------
# cgroup v2, or any v1 hierarchy: the tracer only reads the directory's cgroup.procs.
CG=
for h in /sys/fs/cgroup /sys/fs/cgroup/unified /sys/fs/cgroup/pids /sys/fs/cgroup/cpu /sys/fs/cgroup/memory; do
	[ -f "$h/cgroup.procs" ] && mkdir -p "$h/herdtest.$$" 2>/dev/null && { CG=$h/herdtest.$$; break; }
done
if [ -n "$CG" ]; then
	srv_start prefork-epoll-exclusive --workers 4 --quiet || fail "server starts"
	srv_wait_children 4 || fail "the server forks its 4 workers"
	for p in $SRV_PID $(ps -o pid= --ppid $SRV_PID); do echo $p >"$CG/cgroup.procs"; done
	TRACE_DIR=$TMP/trace.cg
	"$HERDLAB" trace --cgroup "$CG" --out "$TRACE_DIR" >"$TRACE_DIR.out" 2>&1 &
	TRACE_PID=$!
	sleep 1
	sequential $N || fail "cgroup: ab completes"
	trace_stop INT
	is "$(j accept.accepted)/$(j tcp.established)" "$N/$N" "--cgroup: accepted and established = $N"
	ok "srv_stop" "the server in the cgroup stops cleanly"
	rmdir "$CG" 2>/dev/null
else
	skip "--cgroup" "no writable cgroup hierarchy under /sys/fs/cgroup"
fi

# ---- nothing left loaded ----------------------------------------------------------------
trace_start prefork --workers 2 && trace_stop TERM
is "$(left_loaded)" 0 "SIGTERM: none of its programs, links and maps left ($(own_ids program | wc -l) programs, by id)"
trace_start prefork --workers 2 && trace_stop INT
is "$(left_loaded)" 0 "SIGINT: none of its programs, links and maps left"
trace_start prefork --workers 2
kill -KILL $(ps -o pid= --ppid $TRACE_PID) 2>/dev/null
wait $TRACE_PID
is "$(left_loaded)" 0 "the target crashing: the tracer exits and leaves none of them"
