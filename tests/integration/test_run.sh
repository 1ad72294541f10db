#!/usr/bin/env bash
# test_run.sh - herdlab run: every model produces a complete run directory whose
# run.json parses, with the tracer's and the client's counts agreeing and the
# client/kernel join matching (>= 99%). Mistakes are refused before anything
# starts (nothing exec'd but the programs' own checks, no directory); a run cut
# short by SIGINT, SIGTERM or SIGKILL says so in run.json and leaves no process;
# as a normal user it points to --no-trace. herdlab trace says at once what it
# attached to, and warns about a target with nothing listening.
# Needs root and BPF (the tracer): skips otherwise, fails under CI=true.
source "$(dirname "$0")/lib.sh"
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
	is "$(j trace.accept.accepted)/$(j client.requests.ok)/$(j model)/$(j complete)" \
		"$N/$N/$m/true" "$m: run.json parses, complete; the tracer and the client both count $N"
	ok "awk 'BEGIN { exit !($(j join.matched) >= 0.99) }'" "$m: join.matched >= 99% ($(j join.matched))"
done

# ---- mistakes, refused before anything starts ------------------------------------------
# A copy of herdlab whose siblings herdsrv and herdload are wrappers that log how
# they were run: a refused run must have run them only to ask (--options, --list,
# --check), never to serve or load, and must leave no directory.
# Copies of the programs, under $TMP, run also as nobody: the checkout may be where
# nobody can reach it (a clone under /root on a fresh system).
BIN=$TMP/bin REAL=$TMP/real
mkdir -p "$BIN" "$REAL" "$TMP/cwd"
cp "$HERDLAB" "$BIN/herdlab"
cp "$HERDLAB" "$ROOT/$BUILD/herdsrv" "$ROOT/$BUILD/herdload" "$REAL/"
for p in herdsrv herdload; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\nexec "%s" "$@"\n' $p "$TMP/execs" "$REAL/$p" >"$BIN/$p"
	chmod 755 "$BIN/$p"
done
: >"$TMP/execs"
chmod 666 "$TMP/execs"
chmod 755 "$TMP" "$BIN" "$REAL"
chmod 777 "$TMP/cwd"
# refused EXPECTED ARGS...: exit 2, the message, only the programs' checks run, no directory.
refused() {
	local expect=$1 out rc ran
	shift
	: >"$TMP/execs"
	out=$(cd "$TMP/cwd" && "$BIN/herdlab" run "$@" 2>&1)
	rc=$?
	ran=$(grep -cvE ' --options$| --list$|^[a-z]+ --check ' "$TMP/execs")
	if [ $rc -eq 2 ] && grep -qF -- "$expect" <<<"$out" && [ "$ran" = 0 ] &&
		[ -z "$(ls -A "$TMP/cwd")" ] && ! grep -q '0x' <<<"$out"; then
		pass "$* refused before anything starts: $expect"
	else
		fail "$* refused before anything starts: $expect" \
			"exit $rc, ran $ran, left '$(ls -A "$TMP/cwd")', said: $(head -2 <<<"$out")"
	fi
	rm -rf "${TMP:?}/cwd/"*
}
refused "unknown model 'prefrok': did you mean prefork?" --model prefrok --requests 11
refused "unknown model 'nginx'; the models are: iterative," --model nginx
refused "herdload: invalid --clients 'abc'" --model prefork --clients abc
refused "herdsrv: invalid --workers '0'" --model prefork --workers 0
refused "herdsrv: invalid --reap 'sometimes'" --model fork --reap sometimes
refused "herdsrv: cannot open --docroot '/nonexistent'" --model prefork --docroot /nonexistent
refused "--requests and --duration exclude each other" --model prefork --requests 11 --duration 3
refused "herdload: invalid --rate 'fast'" --model epoll -- -- --rate fast
refused "did you mean --clients?" --model prefork --clinets 3
refused "--check is not passed on" --model prefork --check
out=$("$HERDLAB" run --workers 2 2>&1)
ok "[ $? -eq 2 ] && echo '$out' | grep -q 'model NAME is required'" "--model is required"

# The values are checked before the tracer is loaded: as nobody, a bad value is
# what is said, not that tracing needs root.
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
out=$(cd "$TMP/cwd" && "${NOBODY[@]}" "$BIN/herdlab" run --model prefork --clients abc 2>&1)
ok "[ $? -eq 2 ] && grep -q \"invalid --clients 'abc'\" <<<\"\$out\" && ! grep -q root <<<\"\$out\"" \
	"the values are checked before the tracer is loaded"

# A server that cannot start (its options were good): said in words, nothing left.
: >"$TMP/execs"
out=$("$BIN/herdlab" run --model prefork --workers 2 --bind 192.0.2.1 --requests 11 --out "$TMP/bad" 2>&1)
rc=$?
ok "[ $rc -eq 1 ] && grep -q 'the server did not start (model prefork): herdsrv exited with status 1: .*cannot listen on 192.0.2.1' <<<\"\$out\"" \
	"a server that cannot start: the run fails, saying how it ended in words"
ok "[ ! -e '$TMP/bad' ] && ! grep -q 0x <<<\"\$out\"" "and leaves no directory (and no raw wait status)"
serves=$(awk '$1 == "herdsrv" && !/--(check|list|options)/' "$TMP/execs" | wc -l)
is "$serves" 1 "the server was started once"

# ---- as a normal user -------------------------------------------------------------------
out=$(cd "$TMP/cwd" && "${NOBODY[@]}" "$REAL/herdlab" run --model prefork --requests 11 2>&1)
rc=$?
ok "[ $rc -eq 1 ] && grep -q 'needs root' <<<\"\$out\" && grep -q -- '--no-trace' <<<\"\$out\" && [ -z \"\$(ls -A '$TMP/cwd')\" ]" \
	"as a normal user: tracing needs root, and --no-trace is named; no directory"
out=$(cd "$TMP/cwd" && "${NOBODY[@]}" "$REAL/herdlab" run --model prefork --no-trace --workers 2 \
	--clients 1 --requests 11 --out "$TMP/cwd/untraced" 2>&1)
RUN=$TMP/cwd/untraced
ok "[ \$? -eq 0 ] && [ \"\$(j complete)/\$(j traced)/\$(j client.requests.ok)\" = true/false/11 ]" \
	"as a normal user, --no-trace runs ($(j client.requests.ok) of 11 requests)"
rm -rf "${TMP:?}/cwd/"*

# ---- a run cut short ---------------------------------------------------------------------
# run_bg NAME ARGS...: herdlab run in the background into $TMP/NAME; waits until its
# load runs. Sets BG_PID, RUN, BG_ERR.
run_bg() {
	local name=$1 i
	shift
	RUN=$TMP/$name BG_ERR=$TMP/$name.err
	"$HERDLAB" run --out "$RUN" "$@" >"$TMP/$name.out" 2>"$BG_ERR" &
	BG_PID=$!
	for i in $(seq 300); do
		grep -q 'running the load' "$BG_ERR" 2>/dev/null && return 0
		kill -0 $BG_PID 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
run_bg int --model prefork --workers 2 --clients 2 --duration 11 || fail "a run to interrupt starts"
sleep 2
kill -INT $BG_PID
wait $BG_PID
rc=$?
is "$rc/$(j complete)" "130/false" "SIGINT: exit 130, run.json complete: false"
ok "grep -qE '^interrupted by SIGINT after [2-4]\.[0-9] s of --duration 11$' <<<\"\$(j incomplete_reason)\"" \
	"SIGINT: the reason, in words ($(j incomplete_reason))"
ok "grep -q 'cut short (interrupted by SIGINT' '$BG_ERR' && grep -qF '$RUN' '$BG_ERR'" \
	"SIGINT: the terminal says the run was cut short, and where it is"
ok "[ -s '$RUN/report.md' ] && [ -s '$RUN/requests.csv' ] && [ \"\$(j client.requests.ok)\" -gt 0 ]" \
	"SIGINT: what was measured is kept and reported"
run_bg term --model epoll --clients 2 --requests 100000007 || fail "a run to stop starts"
sleep 1
kill -TERM $BG_PID
wait $BG_PID
is "$?/$(j complete)" "143/false" "SIGTERM: exit 143, complete: false"
ok "grep -qE '^interrupted by SIGTERM after [0-9.]+ s, before --requests 100000007 were done$' <<<\"\$(j incomplete_reason)\"" \
	"SIGTERM: the reason, in words ($(j incomplete_reason))"

# SIGKILL: nothing more is written, so run.json says from the start that the run
# did not finish; the server, its workers and herdload die with herdlab.
# gone_within SECONDS PIDS...: every one of the pids is gone (reaped by whoever adopted it).
gone_within() {
	local i p left
	for i in $(seq $(($1 * 10))); do
		left=
		for p in "${@:2}"; do [ -d /proc/$p ] && left="$left $p"; done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "# still running:$left"
	return 1
}
tree_of() { local k; for k in $(ps -o pid= --ppid "$1"); do echo "$k"; tree_of "$k"; done; }
run_bg kill --model prefork --workers 3 --clients 2 --duration 11 || fail "a run to kill starts"
for i in $(seq 100); do [ "$(tree_of $BG_PID | wc -l)" -ge 5 ] && break; sleep 0.05; done
pids=$(tree_of $BG_PID | tr '\n' ' ')
kill -KILL $BG_PID
wait $BG_PID 2>/dev/null
ok "[ \$(wc -w <<<'$pids') -ge 5 ] && gone_within 15 $pids" \
	"SIGKILL of herdlab run: the server, its workers and herdload die with it ($pids)"
is "$(j complete)/$(j incomplete_reason)" "false/the run did not finish (herdlab was killed?)" \
	"SIGKILL: run.json says the run did not finish"
"$HERDLAB" trace -- "$HERDSRV" --model prefork --workers 2 --port 0 --quiet >"$TMP/tk.out" 2>"$TMP/tk.err" &
BG_PID=$!
for i in $(seq 300); do [ "$(tree_of $BG_PID | wc -l)" -ge 3 ] && break; sleep 0.05; done
pids=$(tree_of $BG_PID | tr '\n' ' ')
kill -KILL $BG_PID
wait $BG_PID 2>/dev/null
ok "[ \$(wc -w <<<'$pids') -ge 3 ] && gone_within 15 $pids" \
	"SIGKILL of herdlab trace -- CMD: the server and its workers die with it ($pids)"

# ---- herdlab trace says what it attached to ---------------------------------------------
# wait_line FILE PATTERN PID: PATTERN appears in FILE while PID still runs.
wait_line() {
	local i
	for i in $(seq 300); do
		grep -q "$2" "$1" 2>/dev/null && kill -0 "$3" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}
if srv_start prefork --workers 3 --quiet && srv_wait_children 3; then
	"$HERDLAB" trace --pid $SRV_PID --duration 5 >"$TMP/ta.out" 2>"$TMP/ta.err" &
	BG_PID=$!
	ok "wait_line '$TMP/ta.err' 'attached to pid $SRV_PID (herdsrv): 4 tasks; counting connections on port $SRV_PORT; it stops after 5 s' $BG_PID" \
		"trace --pid says at once: pid, comm, tasks, port, how it stops"
	ab -q -n 13 -c 1 "$URL/size/1K" >/dev/null 2>&1
	wait $BG_PID
	ok "[ \$? -eq 0 ] && grep -q '^traced ' '$TMP/ta.out'" "and reports at the end"
	"$HERDLAB" trace --pid $SRV_PID --port 1 --duration 1 >/dev/null 2>"$TMP/tp.err"
	ok "grep -q 'counting connections on port $SRV_PORT and --port 1' '$TMP/tp.err' && grep -q 'nothing traced listens on --port 1' '$TMP/tp.err'" \
		"trace --pid --port P that nothing listens on: warned"
	srv_stop
else
	fail "a server to trace starts"
fi
sleep 60 &
idle=$!
"$HERDLAB" trace --pid $idle --duration 1 >"$TMP/tn.out" 2>"$TMP/tn.err"
rc=$?
kill $idle
ok "grep -q 'attached to pid $idle (sleep): 1 task' '$TMP/tn.err' && grep -q 'has no listening TCP socket' '$TMP/tn.err'" \
	"trace --pid of a process that listens on nothing: warned at once"
ok "[ $rc -eq 1 ] && [ ! -s '$TMP/tn.out' ] && grep -q 'nothing to report' '$TMP/tn.err'" \
	"and at the end 'nothing to report' instead of a report of zeros"
"$HERDLAB" trace --duration 1 -- "$HERDSRV" --model epoll --port 0 --quiet >/dev/null 2>"$TMP/tc.err"
ok "grep -qE 'started pid [0-9]+ \\(herdsrv\\), traced from its first instruction.*it stops after 1 s' '$TMP/tc.err'" \
	"trace -- CMD says what it started"

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
