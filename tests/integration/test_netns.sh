#!/usr/bin/env bash
# test_netns.sh - herdlab run --netns: each run's TCP in namespaces of its own,
# its kernel counters (run.json tcp.netstat.*) its alone, against known answers:
# a burst of 2000 clients at once against --backlog 5 without syncookies
# overflows the accept queue, a calm run beside it at the same time does not,
# and each sees exactly its own connections (ActiveOpens = its requests);
# --sysctl is read back; veth puts the load on 198.18.0.2 and --delay (where
# the kernel has netem) lengthens the round trips; mistakes are refused with
# nothing left; no namespace or process outlives a run, SIGINT'ed or not.
# Needs root (namespaces are made): skips otherwise, fails under CI=true.
source "$(dirname "$0")/lib.sh"

require_root "herdlab run --netns"
j() { "$JSONGET" "$1/run.json" "$2"; }
# Every network namespace some process holds (as its own, or by a descriptor), one inode a line.
held() {
	{ ls -l /proc/[0-9]*/ns/net /proc/[0-9]*/fd 2>/dev/null || true; } | # (processes come and go)
		sed -n 's/.*net:\[\([0-9]*\)\].*/\1/p' | sort -u
}
# Whether namespace inode $1 is still held by anyone.
is_held() { held | grep -x "$1" >/dev/null; } # not -q: with pipefail, an early exit fails
# The namespaces held now that were not in $TMP/held.before.
new_held() { held | comm -13 "$TMP/held.before" -; }

# ---- a burst and a calm run, at once, each in its own namespace ----------------------------
# 2000 clients connect at once to an iterative server with a backlog of 5 and no
# syncookies: the accept queue overflows. Beside it, 2 clients make 211 requests.
BURST=(--model iterative --netns --sysctl net.ipv4.tcp_syncookies=0 --backlog 5)
"$HERDLAB" run "${BURST[@]}" --clients 2000 --requests 2003 --connect-timeout 2 \
	--out "$TMP/burst" >"$TMP/burst.log" 2>&1 &
B1=$!
"$HERDLAB" run --no-trace "${BURST[@]}" --clients 2 --requests 211 --out "$TMP/calm" \
	>"$TMP/calm.log" 2>&1 &
B2=$!
# ... and a third, without --netns: its counters are the machine's, and it says so.
"$HERDLAB" run --no-trace --model epoll --clients 2 --requests 101 --out "$TMP/plain" \
	>"$TMP/plain.log" 2>&1
wait $B1
rc1=$?
wait $B2
rc2=$?
is "$rc1/$rc2/$(j "$TMP/burst" complete)/$(j "$TMP/calm" complete)" "0/0/true/true" \
	"a burst run and a calm run at once, each with --netns, complete"
ok "[ $(j "$TMP/burst" tcp.netstat.ListenOverflows) -gt 0 ]" \
	"the burst of 2000 against --backlog 5 overflows its accept queue (ListenOverflows $(j "$TMP/burst" tcp.netstat.ListenOverflows))"
is "$(j "$TMP/calm" tcp.netstat.ListenOverflows)/$(j "$TMP/calm" tcp.netstat.ListenDrops)" "0/0" \
	"the calm run beside it, at the same time, sees no overflow and no drop"
is "$(j "$TMP/calm" tcp.netstat.ActiveOpens)/$(j "$TMP/calm" tcp.netstat.PassiveOpens)" "211/211" \
	"the calm run counts exactly its own 211 connections, none of the burst's"
is "$(j "$TMP/burst" tcp.netstat.ActiveOpens)" 2003 \
	"the burst run counts exactly its own 2003 connects"
is "$(j "$TMP/burst" tcp.netstat_scope)/$(j "$TMP/burst" netns.mode)" "run/lo" \
	"run.json says the counters are the run's, in one namespace (lo)"
is "$(j "$TMP/burst" netns.sysctl)" '{"net.ipv4.tcp_syncookies":0}' \
	"--sysctl net.ipv4.tcp_syncookies=0 is recorded as read back from the namespace"
is "$(j "$TMP/burst" tcp.netstat.SyncookiesSent)" 0 "... and no syncookie was sent"
is "$(j "$TMP/burst" trace.tcp.listen_overflows)" "$(j "$TMP/burst" tcp.netstat.ListenOverflows)" \
	"the tracer's listen overflows are the namespace's"
ok "[ $(j "$TMP/burst" trace.tcp.established) -gt 0 ] && [ $(j "$TMP/burst" trace.accept.accepted) -ge $(j "$TMP/burst" client.requests.ok) ]" \
	"the tracer follows the server into its namespace (accepted $(j "$TMP/burst" trace.accept.accepted), handshakes $(j "$TMP/burst" trace.tcp.established))"
is "$(j "$TMP/plain" tcp.netstat_scope)/$(j "$TMP/plain" netns.mode || echo none)" "machine/none" \
	"a run without --netns says its counters are the machine's"
for r in burst calm; do
	ino=$(j "$TMP/$r" netns.server_inode)
	ok "[ -n '$ino' ] && ! is_held '$ino'" "after the $r run its namespace ($ino) is gone"
done
"$HERDLAB" report "$TMP/burst" >"$TMP/burst.txt" 2>&1
"$HERDLAB" report --format md "$TMP/burst" >"$TMP/burst.md" 2>&1
ok "grep -q 'Network namespace' '$TMP/burst.txt' && grep -q 'net.ipv4.tcp_syncookies' '$TMP/burst.txt' && grep -Eq 'ListenOverflows +[1-9]' '$TMP/burst.txt' && grep -q '| ListenOverflows' '$TMP/burst.md'" \
	"herdlab report shows the namespace, the sysctl and the counters"
"$HERDLAB" compare "$TMP/burst" "$TMP/calm" >"$TMP/cmp.txt" 2>&1
ok "grep -q 'ListenOverflows' '$TMP/cmp.txt'" "herdlab compare has the study's counters"

# ---- refused, with nothing left --------------------------------------------------------------
held >"$TMP/held.before"
"$HERDLAB" run --no-trace --model epoll --netns --sysctl net.ipv4.no_such_sysctl=1 \
	--requests 11 --out "$TMP/bad1" >"$TMP/bad1.log" 2>&1
rc=$?
ok "[ $rc -ne 0 ] && grep -q 'no such sysctl' '$TMP/bad1.log' && [ ! -e '$TMP/bad1' ] && [ -z \"\$(new_held)\" ]" \
	"a --sysctl the namespace does not have is refused (rc $rc), no run directory, no namespace left"
"$HERDLAB" run --no-trace --model epoll --netns --sysctl kernel.pid_max=99999 --requests 11 \
	--out "$TMP/bad2" >"$TMP/bad2.log" 2>&1
rc=$?
ok "[ $rc -eq 2 ] && grep -q 'under net\\.' '$TMP/bad2.log' && [ ! -e '$TMP/bad2' ]" \
	"a --sysctl outside net.* is refused before anything starts"
"$HERDLAB" run --no-trace --model epoll --netns --delay 20 --requests 11 --out "$TMP/bad3" \
	>"$TMP/bad3.log" 2>&1
rc=$?
ok "[ $rc -eq 2 ] && grep -q 'need --netns=veth' '$TMP/bad3.log' && [ ! -e '$TMP/bad3' ] && [ -z \"\$(new_held)\" ]" \
	"--delay without veth is refused, nothing left"

# ---- veth: the load on the other end of a pair ----------------------------------------------
"$HERDLAB" run --model epoll --netns=veth --clients 1 --requests 53 --out "$TMP/veth" \
	>"$TMP/veth.log" 2>&1
is "$(j "$TMP/veth" complete)/$(j "$TMP/veth" netns.mode)/$(j "$TMP/veth" netns.server_addr)" \
	"true/veth/198.18.0.1" "a veth run completes, the server on 198.18.0.1"
is "$(j "$TMP/veth" tcp.netstat.PassiveOpens)/$(j "$TMP/veth" tcp.client_netstat.ActiveOpens)" \
	"53/53" "the server's and the client's namespaces count their own side (53 each)"
is "$(j "$TMP/veth" trace.tcp.established)" 53 "the tracer sees every handshake on the veth pair"
is "$(ip -o link show | grep -c 'herd-srv\|herd-cli')" 0 \
	"the veth ends never appear in the machine's namespace"
# The round trip is 2 x --delay (netem on both ends); a request on a new
# connection takes at least two (SYN/SYN-ACK, then request/response): with
# --delay 20 the median grows by at least 80 ms, less 5% for timer slack.
if unshare -n tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then
	"$HERDLAB" run --no-trace --model epoll --netns=veth --delay 20 --clients 1 --requests 53 \
		--out "$TMP/delay" >"$TMP/delay.log" 2>&1
	base=$(j "$TMP/veth" client.latency_us.total.p50) slow=$(j "$TMP/delay" client.latency_us.total.p50)
	ok "awk 'BEGIN { exit !($slow - $base >= 76000 && $slow < 400000) }'" \
		"--delay 20: the median grows by >= 2 round trips of 40 ms ($base -> $slow us)"
else
	held >"$TMP/held.before"
	"$HERDLAB" run --no-trace --model epoll --netns=veth --delay 20 --requests 11 \
		--out "$TMP/delay" >"$TMP/delay.log" 2>&1
	rc=$?
	ok "[ $rc -ne 0 ] && grep -q 'netem' '$TMP/delay.log' && [ ! -e '$TMP/delay' ] && [ -z \"\$(new_held)\" ]" \
		"this kernel has no netem: --delay is refused, saying so, with nothing left"
fi

# ---- herdlab trace --pid of a server in a namespace of its own ------------------------------
# Its listening port is found in its own /proc/PID/net/tcp (ours does not have
# it), so its handshakes are counted: 59 requests, 59 handshakes.
unshare -n sh -c "ip link set lo up && exec '$HERDSRV' --model epoll --port 0" \
	>"$TMP/nssrv.out" 2>/dev/null &
NSSRV=$!
for i in $(seq 100); do
	grep -q '^listening on' "$TMP/nssrv.out" 2>/dev/null && break
	sleep 0.05
done
port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$TMP/nssrv.out")
"$HERDLAB" trace --pid $NSSRV --duration 4 --out "$TMP/nstrace" >/dev/null 2>"$TMP/nstrace.log" &
TR=$!
for i in $(seq 100); do
	grep -q 'attached to pid' "$TMP/nstrace.log" 2>/dev/null && break
	sleep 0.05
done
nsenter -t $NSSRV -n "$ROOT/$BUILD/herdload" --port "$port" --clients 1 --requests 59 --quiet
wait $TR
kill $NSSRV 2>/dev/null
wait $NSSRV 2>/dev/null
is "$("$JSONGET" "$TMP/nstrace/trace.json" tcp.established)" 59 \
	"herdlab trace --pid of a server in another namespace counts its 59 handshakes"

# ---- SIGINT: the namespaces and the veth pair go with the run --------------------------------
"$HERDLAB" run --no-trace --model epoll --netns=veth --clients 2 --duration 30 \
	--out "$TMP/int" >"$TMP/int.log" 2>&1 &
BG=$!
for i in $(seq 100); do
	grep -q 'running the load' "$TMP/int.log" 2>/dev/null && break
	sleep 0.1
done
sino=$(j "$TMP/int" netns.server_inode) cino=$(j "$TMP/int" netns.client_inode)
ok "[ -n '$sino' ] && is_held '$sino' && is_held '$cino'" \
	"during a veth run its two namespaces are held ($sino, $cino)"
sleep 0.5
kill -INT $BG
wait $BG
rc=$?
ok "[ $rc -eq 130 ] && ! is_held '$sino' && ! is_held '$cino'" \
	"after SIGINT (rc $rc) both namespaces are gone, and with them the veth pair"
ok "j '$TMP/int' incomplete_reason | grep -q SIGINT" "... and run.json says it was interrupted"

echo "1..$TAP_N"
