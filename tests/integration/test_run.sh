#!/usr/bin/env bash
# test_run.sh - herdlab run: every model produces a complete run directory whose
# run.json parses, with the tracer's and the client's counts agreeing and the
# client/kernel join matching (>= 99%); a run that cannot start fails cleanly.
# Needs root and BPF (the tracer): skips otherwise, fails under CI=true.
source "$(dirname "$0")/lib.sh"
HERDLAB=$ROOT/$BUILD/herdlab
JSONGET=$ROOT/$BUILD/tests/tools/jsonget
N=503

require_tracer "herdlab run"
j() { "$JSONGET" "$RUN/run.json" "$1"; }

for m in $(all_models); do
	RUN=$TMP/run.$m
	if ! "$HERDLAB" run --model "$m" --workers 4 --clients 1 --requests $N --path /size/1K \
		--out "$RUN" >"$RUN.out" 2>&1; then
		fail "$m: herdlab run succeeds"
		sed 's/^/#   /' "$RUN.out" | tail -3
		continue
	fi
	files=$(cd "$RUN" && ls run.json requests.csv connections.csv tasks.csv server.log 2>/dev/null | wc -l)
	is "$files" 5 "$m: the run directory is complete"
	is "$(j trace.accept.accepted)/$(j client.requests.ok)/$(j model)" "$N/$N/$m" \
		"$m: run.json parses; the tracer and the client both count $N"
	ok "awk 'BEGIN { exit !($(j join.matched) >= 0.99) }'" "$m: join.matched >= 99% ($(j join.matched))"
done

# Failures stop everything they started and say what failed.
before=$(pgrep -c herdsrv)
out=$("$HERDLAB" run --model prefork --docroot /nonexistent --requests 10 --out "$TMP/bad" 2>&1)
rc=$?
ok "[ $rc -ne 0 ] && echo '$out' | grep -q 'did not start'" "a server that cannot start: the run fails, saying so"
is "$(pgrep -c herdsrv)" "$before" "and nothing it started is left running"
out=$("$HERDLAB" run --model nope 2>&1)
ok "[ $? -ne 0 ]" "an unknown model is refused"
out=$("$HERDLAB" run --workers 2 2>&1)
ok "[ $? -eq 2 ] && echo '$out' | grep -q 'model NAME is required'" "--model is required"

# make demo's herd study (shortened): its conclusion holds.
DEMO=$TMP/demo
if (cd "$ROOT" && DEMO_OUT=$DEMO DEMO_LOAD="--clients 1 --duration 2 --path /size/1K" \
	scripts/demo.sh) >"$DEMO.out" 2>&1; then
	pass "the herd-study demo runs"
	herd_of() { "$JSONGET" "$DEMO/$1/run.json" trace.accept.wakeups_per_accept; }
	top=$(for m in prefork prefork-mutex prefork-epoll prefork-epoll-exclusive prefork-reuseport; do
		echo "$(herd_of $m) $m"; done | sort -g | tail -1 | cut -d' ' -f2)
	is "$top" prefork-epoll "demo: prefork-epoll has the highest herd factor"
	ok "awk 'BEGIN { exit !($(herd_of prefork) <= 1.2 && $(herd_of prefork-epoll-exclusive) <= 1.5) }'" \
		"demo: blocking accept and EPOLLEXCLUSIVE near 1 ($(herd_of prefork), $(herd_of prefork-epoll-exclusive))"
	ok "grep -q '^| prefork-epoll |' '$DEMO/herd.md' && [ -s '$DEMO/comparison.html' ]" \
		"demo: herd.md and comparison.html written"
	ok "grep -q 'herd factor' '$DEMO.out'" "demo: the comparison printed"
else
	fail "the herd-study demo runs"
	tail -5 "$DEMO.out" | sed 's/^/#   /'
fi
