#!/usr/bin/env bash
# test_causes.sh - herdlab run --causes and --timeline against known answers:
#   /sleep/MSEC        -> the server time is blocked in a timer, about MSEC; on-CPU small
#   /cpu/USEC, 1 client -> on-CPU about USEC
#   iterative, 4 clients, /cpu/ -> the accept-queue wait is about the queue position
#                         times the service time, and it is a capacity wait
#   prefork-epoll, 8 workers -> the herd's cost to the accept-queue wait is > 0;
#                         prefork-epoll-exclusive's is about 0
#   wake order: blocking accept wakes the longest asleep (FIFO: the wait queue's
#     exclusive waiters are added at its tail, kernel/sched/wait.c); a per-worker
#     epoll wakes the last registered first (epoll's entry on the listener is added
#     at the head, add_wait_queue); EPOLLEXCLUSIVE the first registered that is idle
#     (add_wait_queue_exclusive: at the tail, and ep_poll_callback goes on past busy ones)
#   timeline.json is valid trace-event JSON (tests/tools/tracecheck.c), timeline.svg
#     is whole and inline in report.html
#   without the flag nothing of the object is loaded: no causes.* and no sched.bin,
#     and with it its program ids are the run's own, not the tracer's.
# Needs root and BTF: skips otherwise (a failure under CI=true).
source "$(dirname "$0")/lib.sh"
TRACECHECK=$ROOT/$BUILD/tests/tools/tracecheck
require_tracer "herdlab run --causes"
j() { "$JSONGET" "$1/run.json" "$2"; }
# within A LO HI: whether LO <= A <= HI (numbers)
within() { awk -v a="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(a >= lo && a <= hi) }'; }
run() { # NAME ARGS...: herdlab run into $TMP/NAME
	local name=$1
	shift
	"$HERDLAB" run --out "$TMP/$name" "$@" >"$TMP/$name.out" 2>&1 ||
		{ echo "# herdlab run $*:"; tail -5 "$TMP/$name.out" | sed 's/^/#   /'; }
}

# ---- server time ----------------------------------------------------------------------------
run sleep --model prefork --causes --workers 4 --clients 1 --requests 13 --path /sleep/20
D=$TMP/sleep
ok "[ -s $D/requests_causes.csv ] && [ \"\$(j $D causes.requests)\" -eq 13 ]" \
	"/sleep/20: every one of 13 requests has its causes"
ok "within \"\$(j $D causes.stats.sleep_us.p50)\" 19000 23000" \
	"/sleep/20: blocked in a timer about 20 ms ($(j $D causes.stats.sleep_us.p50) us)"
ok "within \"\$(j $D causes.stats.oncpu_us.p50)\" 0 2000" \
	"/sleep/20: on-CPU small ($(j $D causes.stats.oncpu_us.p50) us)"
is "$(j $D causes.lost_events)" 0 "/sleep/20: no scheduling record lost"

run cpu --model prefork --causes --workers 4 --clients 1 --requests 13 --path /cpu/3000
D=$TMP/cpu
ok "within \"\$(j $D causes.stats.oncpu_us.p50)\" 2900 3600" \
	"/cpu/3000: on-CPU about 3 ms ($(j $D causes.stats.oncpu_us.p50) us)"

# ---- the accept queue -------------------------------------------------------------------------
# 4 closed-loop clients on one server that serves one at a time: each new connection
# waits for the (about) 3 ahead of it, 3 x 2 ms, with the one worker busy all along.
run iter --model iterative --causes --clients 4 --requests 31 --path /cpu/2000
D=$TMP/iter
Q=$(j $D causes.stats.queue_us.mean)
C=$(j $D causes.stats.capacity_us.mean)
ok "within $Q 3000 9000" "iterative, 4 clients: the accept-queue wait is about 3 x 2 ms ($Q us)"
ok "awk -v c=$C -v q=$Q 'BEGIN { exit !(c >= 0.9 * q) }'" \
	"iterative: the wait is capacity wait ($C of $Q us)"

# The server on one CPU: the 7 workers an arrival woke for nothing are still in its run
# queue when the next connection's worker is woken (EPOLLEXCLUSIVE wakes only one). Four
# clients keep arrivals coming while they are: with one, the cost is there on a quiet
# machine (about 2 us) and can vanish under load.
run epoll --model prefork-epoll --causes --cpus 0:1 --workers 8 --clients 4 --requests 211 \
	--path /size/1
run excl --model prefork-epoll-exclusive --causes --cpus 0:1 --workers 8 --clients 1 \
	--requests 211 --path /size/1
HE=$(j $TMP/epoll causes.stats.herd_us.mean)
HX=$(j $TMP/excl causes.stats.herd_us.mean)
QX=$(j $TMP/excl causes.stats.queue_us.mean)
ok "awk -v h=$HE 'BEGIN { exit !(h > 0) }'" "prefork-epoll, 8 workers: the herd costs the accept queue ($HE us)"
ok "awk -v h=$HX -v q=$QX 'BEGIN { exit !(h <= 0.01 * q) }'" \
	"prefork-epoll-exclusive: the herd costs it about nothing ($HX of $QX us)"

# ---- wake order ---------------------------------------------------------------------------------
run fifo --model prefork --causes --workers 4 --clients 1 --requests 53 --path /size/1
F=$(j $TMP/fifo wake_order.accept.fifo_share)
L=$(j $TMP/epoll wake_order.epoll.created_last_share)
X=$(j $TMP/excl wake_order.epoll.created_first_share)
ok "within $F 0.9 1" "blocking accept wakes the longest asleep: FIFO ($F)"
ok "within $L 0.9 1" "per-worker epoll wakes the last registered first: LIFO ($L)"
ok "within $X 0.9 1" "EPOLLEXCLUSIVE wakes the first registered idle one ($X)"

# herdlab trace --causes on a running server: the wake order without the client's records
srv_start prefork --workers 4
"$HERDLAB" trace --causes --pid "$SRV_PID" --duration 4 --out "$TMP/trace" >"$TMP/trace.out" 2>&1 &
TRACE_PID=$!
sleep 1.5
"$HERDLOAD" --port "$SRV_PORT" --clients 1 --requests 53 --path /size/1 --quiet >/dev/null 2>&1
wait $TRACE_PID
F=$("$JSONGET" "$TMP/trace/trace.json" wake_order.accept.fifo_share)
ok "[ -s $TMP/trace/sched.bin ] && within \"$F\" 0.9 1" \
	"herdlab trace --causes --pid: sched.bin, and blocking accept FIFO ($F)"
"$HERDLAB" trace --causes --pid "$SRV_PID" >"$TMP/noout.out" 2>&1
rc=$?
ok "[ $rc -ne 0 ] && grep -q 'give --out DIR' $TMP/noout.out" \
	"herdlab trace --causes without --out: refused, saying why (rc $rc)"
srv_stop

# ---- the timeline -------------------------------------------------------------------------------
run tl --model prefork-epoll --timeline --workers 4 --clients 2 --requests 31 --path /cpu/200
D=$TMP/tl
"$TRACECHECK" $D/timeline.json >$TMP/tc.out 2>&1
ok "grep -q '^ok' $TMP/tc.out" "timeline.json: valid trace events, every flow on a slice ($(head -1 $TMP/tc.out))"
ok "[ \"\$(awk '{ print \$4 }' $TMP/tc.out)\" -gt 0 ]" "timeline.json has flows from arrivals"
ok "tail -1 $D/timeline.svg | grep -q '</svg>'" "timeline.svg is whole"
ok "grep -q 'arrival to the worker that accepted it' $D/report.html" \
	"report.html has the timeline inline"
run tlw --model prefork --timeline=5:10 --workers 2 --clients 1 --requests 31 --path /cpu/200
is "$(j $TMP/tlw causes.timeline.len_ms)" 10 "--timeline=5:10 draws 10 ms"

# ---- nothing without the flag ---------------------------------------------------------------
run plain --model prefork --workers 2 --clients 1 --requests 31
ok "[ ! -e $TMP/plain/sched.bin ] && [ -z \"\$(j $TMP/plain causes)\" ]" \
	"without --causes: no sched.bin, no causes.*"
ids=$(j $TMP/sleep causes.program_ids | tr -d '[]' | tr ',' ' ')
tracer=$(j $TMP/sleep trace.tracer.program_ids | tr -d '[]' | tr ',' ' ')
overlap=0
for i in $ids; do for t in $tracer; do [ "$i" = "$t" ] && overlap=1; done; done
ok "[ -n \"$ids\" ] && [ $overlap -eq 0 ]" "with --causes: its programs ($ids) are its own"
for i in $ids; do
	ok "! bpftool prog show id $i >/dev/null 2>&1" "program $i is gone after the run"
done
echo "1..$TAP_N"
