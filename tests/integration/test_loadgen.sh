#!/usr/bin/env bash
# test_loadgen.sh - herdload's numbers are exact: counts, bytes and CSV rows on
# known workloads, errors classified (refused, timeout), 20,000 concurrent
# keep-alive connections, coordinated omission corrected in open loop, and the
# same exactness against nginx (a server nobody here wrote).
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/common.sh"

json() { # FILE DOTTED.KEY (tests/tools/jsonget.c)
	"$ROOT/$BUILD/tests/tools/jsonget" "$1" "$2"
}
csv_rows() { tail -n +2 "$1" | wc -l; }
csv_sum() { # FILE COLUMN-NAME
	awk -F, -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		{ s += $c } END { print s + 0 }' "$1"
}
csv_count() { # FILE COLUMN-NAME VALUE
	awk -F, -v col="$2" -v v="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		$c == v { n++ } END { print n + 0 }' "$1"
}

# ---- exact counts against our own server ---------------------------------------
srv_start epoll --stats "$TMP/epoll.csv" || fail "epoll starts"
"$HERDLOAD" --port "$SRV_PORT" --clients 16 --requests 2003 --path /size/10K --verify \
	--csv "$TMP/a.csv" --json "$TMP/a.json" --quiet
rc=$?
is "$rc" 0 "herdload exits 0 after 2003 requests"
is "$(csv_rows "$TMP/a.csv")" 2003 "2003 requests -> 2003 CSV rows"
is "$(json "$TMP/a.json" requests.ok)" 2003 "requests.ok = 2003"
is "$(json "$TMP/a.json" requests.failed)" 0 "requests.failed = 0"
is "$(csv_count "$TMP/a.csv" status 200)" 2003 "every row has status 200"
head_len=$(curl -s -H 'Connection: close' -D - -o /dev/null "$URL/size/10K" | wc -c)
is "$(csv_sum "$TMP/a.csv" bytes_received)" $((2003 * (10240 + head_len))) \
	"bytes received are exact: 2003 x (10240 + a $head_len-byte head)"
is "$(awk -F, 'NR > 1 { print $7 }' "$TMP/a.csv" | sort -u | wc -l)" 2003 \
	"every request used its own connection (2003 distinct local ports)"
ok "awk -F, 'NR > 1 && !(\$2 <= \$3 && \$3 <= \$4 && \$4 <= \$5) { bad++ } END { exit bad > 0 }' $TMP/a.csv" \
	"per-request timestamps are ordered: connect <= connected <= first byte <= last byte"
ok "srv_stop" "server stops cleanly"
is "$(stats_requests "$TMP/epoll.csv")" 2004 "the server counted the same requests (+1 curl)"

# Keep-alive: R requests per connection.
srv_start epoll || fail "epoll starts"
"$HERDLOAD" --port "$SRV_PORT" --clients 8 --requests 2003 --keepalive 10 --path /size/1K \
	--csv "$TMP/k.csv" --json "$TMP/k.json" --quiet
is "$(csv_rows "$TMP/k.csv")" 2003 "keep-alive: 2003 CSV rows"
conns=$(awk -F, 'NR > 1 { print $7 }' "$TMP/k.csv" | sort -u | wc -l)
ok "[ $conns -ge 201 ] && [ $conns -le 215 ]" "keep-alive 10: about 2003/10 connections ($conns)"
is "$(json "$TMP/k.json" requests.ok)" 2003 "keep-alive: requests.ok = 2003"

# POST /echo with bodies drawn from a range.
"$HERDLOAD" --port "$SRV_PORT" --clients 4 --requests 503 --body 100-5000 \
	--csv "$TMP/e.csv" --json "$TMP/e.json" --quiet
is "$(json "$TMP/e.json" requests.ok)" 503 "POST /echo with 100-5000 byte bodies: 503 ok"
ok "srv_stop" "server stops cleanly"

# ---- errors, classified ---------------------------------------------------------
port=$(free_port)
t0=$(date +%s%N)
"$HERDLOAD" --port "$port" --clients 8 --requests 1009 --json "$TMP/r.json" --quiet
ms=$((($(date +%s%N) - t0) / 1000000))
is "$(json "$TMP/r.json" errors.refused)" 1009 "a closed port: all 1009 requests refused"
ok "[ $ms -lt 5000 ]" "a closed port: the run ends promptly ($ms ms)"

srv_start epoll || fail "epoll starts"
t0=$(date +%s%N)
"$HERDLOAD" --port "$SRV_PORT" --clients 5 --requests 10 --path /sleep/3000 --timeout 1 \
	--json "$TMP/t.json" --csv "$TMP/t.csv" --quiet
ms=$((($(date +%s%N) - t0) / 1000000))
is "$(json "$TMP/t.json" errors.timeout)" 10 "/sleep/3000 with --timeout 1: 10 response timeouts"
ok "[ $ms -lt 4500 ]" "timeouts end the requests on time ($ms ms for 2 rounds of 1 s)"
is "$(csv_count "$TMP/t.csv" error timeout)" 10 "the CSV names the error kind"
"$HERDLOAD" --port "$SRV_PORT" --clients 2 --requests 20 --path /nope --json "$TMP/h.json" --quiet
is "$(json "$TMP/h.json" errors.http)" 20 "404s are counted as HTTP errors"
ok "srv_stop" "server stops cleanly"

# ---- exit status: nothing succeeded is not success ---------------------------------
port=$(free_port)
"$HERDLOAD" --port "$port" --clients 4 --requests 101 --json "$TMP/n.json" --quiet 2>"$TMP/n.err"
rc=$?
is "$rc" 3 "nobody listening: herdload exits 3 (no request succeeded)"
is "$(json "$TMP/n.json" errors.refused)" 101 "... every one of the 101 counted refused"
ok "grep -q 'no request succeeded: 101 failed (refused 101)' '$TMP/n.err'" "... and says so on stderr"
srv_start epoll || fail "epoll starts"
"$HERDLOAD" --port "$SRV_PORT" --clients 4 --requests 101 --mix /size/1K:1,/nope:1 \
	--json "$TMP/p.json" --quiet
rc=$?
ok "[ $rc = 0 ] && [ $(json "$TMP/p.json" requests.ok) -gt 0 ] && [ $(json "$TMP/p.json" errors.http) -gt 0 ]" \
	"partial failure (some 404s among 200s) is the measurement: exit 0 ($rc)"

# ---- a run cut short: requests in flight are "interrupted", not "other" ------------
interrupt_after_1s() { # PATH JSON: SIGINT one second into a 20 s run; prints its status
	"$HERDLOAD" --port "$SRV_PORT" --clients 5 --duration 20 --path "$1" --json "$2" \
		--quiet 2>/dev/null &
	local pid=$!
	sleep 1
	kill -INT $pid
	wait $pid
}
t0=$(date +%s%N)
interrupt_after_1s /sleep/300 "$TMP/i.json"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
n=$(json "$TMP/i.json" errors.interrupted)
ok "[ $n -ge 1 ] && [ $n -le 5 ]" "SIGINT: the requests in flight count as interrupted ($n of 5 clients)"
is "$(json "$TMP/i.json" errors.other)" 0 "... none as other"
is "$(json "$TMP/i.json" interrupted)" true "... the JSON says the run was interrupted"
ok "[ $rc = 0 ] && [ $(json "$TMP/i.json" requests.ok) -gt 0 ]" \
	"... and with requests done before it, herdload exits 0 as the README says ($rc)"
ok "[ $ms -lt 3000 ]" "... promptly ($ms ms for a 20 s run stopped at 1 s)"
interrupt_after_1s /sleep/5000 "$TMP/i2.json"
rc=$?
is "$rc/$(json "$TMP/i2.json" requests.ok)/$(json "$TMP/i2.json" errors.interrupted)" 3/0/5 \
	"SIGINT before any request ended: exit 3, 0 ok, 5 interrupted"
ok "srv_stop" "server stops cleanly"

# Every error kind herdload can report is in the README's table of them.
missing=
for kind in $("$ROOT/$BUILD/tests/tools/jsonget" "$TMP/i.json" errors | tr -d '{}" ' | tr ',' '\n' | cut -d: -f1); do
	grep -q "^| \`$kind\` |" "$ROOT/README.md" || missing="$missing $kind"
done
is "${missing:-none}" none "the README lists every error kind herdload reports"

# ---- outputs: a device is written into, never replaced; a bad path fails at once ----
srv_start epoll --stats "$TMP/s.csv" || fail "epoll starts"
runs=1 # the runs that could write their outputs, 11 requests each
if [ "$(id -u)" -eq 0 ] && mknod "$TMP/null" c 1 3 2>/dev/null; then
	"$HERDLOAD" --port "$SRV_PORT" --clients 2 --requests 11 --json "$TMP/null" \
		--csv "$TMP/null" --quiet
	runs=$((runs + 1))
	ok "[ -c '$TMP/null' ] && ! ls '$TMP'/null.tmp.* 2>/dev/null" \
		"--json and --csv into a character device (a /dev/null of our own) leave it a device"
	if [ -c "$TMP/null" ]; then # only then dare the machine's own
		"$HERDLOAD" --port "$SRV_PORT" --clients 2 --requests 11 --json /dev/null --quiet
		runs=$((runs + 1))
		ok "[ -c /dev/null ]" "--json /dev/null leaves /dev/null a character device"
	fi
else
	skip "--json into a device node" "needs root to make one (mknod)"
fi
mkfifo "$TMP/fifo"
timeout 20 cat "$TMP/fifo" >"$TMP/fifo.out" &
cat_pid=$!
"$HERDLOAD" --port "$SRV_PORT" --clients 2 --requests 11 --json "$TMP/fifo" --quiet
wait $cat_pid
ok "[ -p '$TMP/fifo' ] && grep -q '\"requests\"' '$TMP/fifo.out'" \
	"--json into a FIFO: the JSON goes through it, the FIFO stays"
t0=$(date +%s%N)
"$HERDLOAD" --port "$SRV_PORT" --clients 2 --duration 5 --csv /missing/dir/x.csv --quiet \
	2>"$TMP/m.err"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
ok "[ $rc = 1 ] && [ $ms -lt 1000 ]" "--csv into a missing directory fails at once (exit $rc after $ms ms of a 5 s run)"
ok "grep -q \"cannot write --csv '/missing/dir/x.csv': No such file or directory\" '$TMP/m.err'" \
	"... in one clear line: $(head -1 "$TMP/m.err")"
"$HERDLOAD" --port "$SRV_PORT" --clients 2 --requests 11 --json "$TMP" --quiet 2>"$TMP/d.err"
ok "[ $? = 1 ] && grep -q 'Is a directory' '$TMP/d.err'" "--json naming a directory is refused"
ok "srv_stop" "server stops cleanly"
is "$(stats_requests "$TMP/s.csv")" $((runs * 11)) \
	"no connection from the runs refused: the server saw only the others' ($runs x 11 requests)"

# ---- slowloris: --slow connections trickle beside the load -------------------------
# 41 connections sending a byte a second hold all 4 workers of prefork (each until the
# 10 s read timeout) and queue ahead of the load; epoll holds them for a descriptor each.
slowloris() { # JSON: 4 clients for 3 s beside 41 slow connections
	"$HERDLOAD" --port "$SRV_PORT" --clients 4 --duration 3 --timeout 1 --slow 41 \
		--json "$1" --quiet 2>/dev/null
}
if srv_start prefork --workers 4 && srv_wait_children 4; then
	slowloris "$TMP/sl.prefork.json"
	n=$(json "$TMP/sl.prefork.json" requests.ok)
	ok "[ $n -le 3 ]" "prefork --workers 4 beside 41 slow connections: the load is starved ($n ok in 3 s)"
	is "$(json "$TMP/sl.prefork.json" slow.opened)/$(json "$TMP/sl.prefork.json" slow.connected)/$(json "$TMP/sl.prefork.json" slow.held)" \
		41/41/41 "... the slow connections are counted: 41 opened, connected, held to the end"
	ok "srv_stop" "server stops cleanly"
else
	fail "prefork --workers 4 starts"
fi
srv_start epoll || fail "epoll starts"
slowloris "$TMP/sl.epoll.json"
n=$(json "$TMP/sl.epoll.json" requests.ok)
ok "[ $n -ge 1000 ]" "epoll beside 41 slow connections: the load is served ($n ok in 3 s)"
is "$(json "$TMP/sl.epoll.json" slow.opened)/$(json "$TMP/sl.epoll.json" slow.held)" 41/41 \
	"... 41 slow connections opened and held"
is "$(json "$TMP/sl.epoll.json" latency_us.total.count)" "$n" \
	"... and only the load's requests are in its latency"
# A fast trickle completes: the server gets the whole request a byte at a time.
"$HERDLOAD" --port "$SRV_PORT" --clients 1 --duration 3 --slow 3 --slow-interval 20 \
	--json "$TMP/sl.fast.json" --quiet
ok "[ $(json "$TMP/sl.fast.json" slow.completed) -ge 3 ] && [ $(json "$TMP/sl.fast.json" slow.failed) = 0 ]" \
	"a byte every 20 ms: each slow request completes ($(json "$TMP/sl.fast.json" slow.completed) completed)"
ok "srv_stop" "server stops cleanly"
srv_start epoll --read-timeout 1 || fail "epoll --read-timeout 1 starts"
"$HERDLOAD" --port "$SRV_PORT" --clients 1 --duration 3 --slow 3 --json "$TMP/sl.408.json" --quiet
ok "[ $(json "$TMP/sl.408.json" slow.errors.http) -ge 3 ]" \
	"a byte a second against a 1 s read timeout: the server's 408s count as http ($(json "$TMP/sl.408.json" slow.errors.http))"
ok "srv_stop" "server stops cleanly"

# ---- --idle: connections held open and silent beside the load ---------------------
# 101 idle connections beside 2 kept-alive clients: the server holds 103 established
# connections from us during the run, and counts only the 2 clients' requests.
srv_start epoll --stats "$TMP/idle.stats.csv" || fail "epoll starts"
"$HERDLOAD" --port "$SRV_PORT" --clients 2 --keepalive 1000000 --duration 3 --idle 101 \
	--json "$TMP/idle.json" --csv "$TMP/idle.csv" --quiet &
hl=$!
sleep 1.5
est=$(ss -Htn state established "( dport = :$SRV_PORT )" | wc -l)
wait $hl
is "$est" 103 "--idle 101 beside 2 clients: 103 established connections to the server mid-run"
is "$(json "$TMP/idle.json" idle.opened)/$(json "$TMP/idle.json" idle.connected)/$(json "$TMP/idle.json" idle.held)/$(json "$TMP/idle.json" idle.failed)" \
	101/101/101/0 "... idle.opened/connected/held/failed = 101/101/101/0"
is "$(json "$TMP/idle.json" requests.total)" "$(csv_rows "$TMP/idle.csv")" \
	"... the requests are the clients' alone (requests.total = CSV rows)"
is "$(json "$TMP/idle.json" latency_us.total.count)" "$(json "$TMP/idle.json" requests.ok)" \
	"... and only theirs are in the latency"
is "$(json "$TMP/idle.json" connections)" 2 "... and the connections counted are the 2 clients' (idle ones apart)"
ok "srv_stop" "server stops cleanly"
is "$(stats_requests "$TMP/idle.stats.csv")" "$(json "$TMP/idle.json" requests.ok)" \
	"... and the server counted as many requests: none from the idle connections"
# A server that closes silent connections after 1 s: each counted apart, by kind.
srv_start epoll --read-timeout 1 || fail "epoll --read-timeout 1 starts"
"$HERDLOAD" --port "$SRV_PORT" --clients 1 --keepalive 1000000 --duration 3 --idle 29 \
	--json "$TMP/idle.rt.json" --quiet
is "$(json "$TMP/idle.rt.json" idle.failed)/$(json "$TMP/idle.rt.json" idle.held)" 29/0 \
	"--idle 29 against a 1 s read timeout: all 29 closed by the server, none held"
is "$(($(json "$TMP/idle.rt.json" idle.errors.short) + $(json "$TMP/idle.rt.json" idle.errors.reset)))" 29 \
	"... counted as short or reset"
is "$(json "$TMP/idle.rt.json" requests.failed)" 0 "... and never among the requests' failures"
ok "srv_stop" "server stops cleanly"
port=$(free_port)
"$HERDLOAD" --port "$port" --clients 1 --requests 3 --idle 13 --json "$TMP/idle.ref.json" --quiet 2>/dev/null
is "$(json "$TMP/idle.ref.json" idle.errors.refused)/$(json "$TMP/idle.ref.json" errors.refused)" 13/3 \
	"a closed port: 13 idle connections refused, counted apart from the 3 requests refused"

# ---- --ramp: clients started evenly, or the rate ramped -----------------------------
# 11 clients over 2 s, one 3 s request each: their starts are 2/11 s apart, the last at
# 10 x 2/11 = 1.82 s.
srv_start epoll || fail "epoll starts"
"$HERDLOAD" --port "$SRV_PORT" --clients 11 --requests 11 --ramp 2 --path /sleep/3000 \
	--csv "$TMP/ramp.csv" --json "$TMP/ramp.json" --quiet
is "$(json "$TMP/ramp.json" requests.ok)" 11 "--ramp 2 with 11 clients: 11 requests ok"
spread=$(awk -F, 'NR > 1 { print $1 }' "$TMP/ramp.csv" | sort -n | awk 'NR == 1 { f = $1 }
	{ if (NR > 1 && ($1 - p < 0.13e9 || $1 - p > 0.24e9)) bad++; p = $1 }
	END { printf "%.3f %d", (p - f) / 1e9, bad }')
ok "awk 'BEGIN { split(\"$spread\", a, \" \"); exit !(a[1] > 1.75 && a[1] < 1.9 && a[2] == 0) }'" \
	"... their starts spread over ${spread% *} s (1.82 expected), 2/11 s apart"
is "$(json "$TMP/ramp.json" config.ramp_s)" 2 "... config.ramp_s = 2"
# Open loop: 200/s ramped over 2 s: 50 arrivals in the first second, 150 in the next.
"$HERDLOAD" --port "$SRV_PORT" --rate 200 --ramp 2 --duration 3 --clients 50 \
	--csv "$TMP/ramp.o.csv" --json "$TMP/ramp.o.json" --quiet
per_s=$(awk -F, 'NR > 1 { print $1 }' "$TMP/ramp.o.csv" |
	sort -n | awk 'NR == 1 { f = $1 } { b[int(($1 - f) / 1e9)]++ } END { print b[0] "/" b[1] "/" b[2] }')
is "$per_s" 50/150/200 "open loop --rate 200 --ramp 2: 50, 150, then 200 arrivals a second"
ok "srv_stop" "server stops cleanly"

# ---- --clients-csv: one row per client, adding up to the totals -------------------
srv_start epoll || fail "epoll starts"
"$HERDLOAD" --port "$SRV_PORT" --clients 7 --requests 2003 --mix /size/1K:3,/nope:1 --keepalive 5 \
	--clients-csv "$TMP/cl.csv" --json "$TMP/cl.json" --quiet
is "$(csv_rows "$TMP/cl.csv")" 7 "--clients-csv with 7 clients: 7 rows"
is "$(csv_sum "$TMP/cl.csv" requests)/$(csv_sum "$TMP/cl.csv" ok)/$(csv_sum "$TMP/cl.csv" failed)" \
	"2003/$(json "$TMP/cl.json" requests.ok)/$(json "$TMP/cl.json" requests.failed)" \
	"... requests, ok and failed add up to the summary's"
is "$(csv_sum "$TMP/cl.csv" bytes_sent)/$(csv_sum "$TMP/cl.csv" bytes_received)/$(csv_sum "$TMP/cl.csv" http)" \
	"$(json "$TMP/cl.json" bytes.sent)/$(json "$TMP/cl.json" bytes.received)/$(json "$TMP/cl.json" errors.http)" \
	"... and so do bytes sent, received and the 404s"
ok "awk -F, 'NR > 1 && !(\$8 <= \$9 && \$9 <= \$10) { bad++ } END { exit bad > 0 }' $TMP/cl.csv" \
	"... each client's p50 <= p99 <= max"
ok "srv_stop" "server stops cleanly"
"$HERDLOAD" --port 9 --requests 3 --clients-csv "$TMP/no/such/dir.csv" --quiet 2>/dev/null
is "$?" 1 "--clients-csv into a missing directory fails before the load"

# ---- 20,000 concurrent keep-alive connections against the epoll model -----------
# One process can hold no more descriptors than RLIMIT_NOFILE's hard limit, and
# raising it takes CAP_SYS_RESOURCE: hold 20,000 where the machine allows it, and
# as many as it allows otherwise (the server needs a few descriptors of its own).
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
CLIENTS=$(( hard - 64 < 20000 ? hard - 64 : 20000 ))
srv_start epoll --read-timeout 30 --backlog 4096 || fail "epoll starts"
"$HERDLOAD" --port "$SRV_PORT" --clients $CLIENTS --requests $((2 * CLIENTS)) --keepalive 2 \
	--hold 4000 --threads 2 --sources 127.0.0.1-127.0.0.4 --path /size/1K \
	--json "$TMP/big.json" --quiet &
load=$!
peak=0
for i in $(seq 120); do
	n=$(ss -Htn state established "( sport = :$SRV_PORT )" | wc -l)
	[ "$n" -gt "$peak" ] && peak=$n
	kill -0 $load 2>/dev/null || break
	sleep 0.25
done
wait $load
is "$(json "$TMP/big.json" requests.ok)" $((2 * CLIENTS)) \
	"$CLIENTS clients x 2 kept-alive requests: all ok (file limit $hard)"
ok "[ $peak -ge $((CLIENTS * 95 / 100)) ]" "$CLIENTS connections open at once (peak $peak)"
ok "srv_stop" "server stops cleanly"

# ---- open loop: coordinated omission, corrected ------------------------------
# iterative serves one /cpu/1000 at a time (< 1000/s); ask for 2000/s over 4 connections.
srv_start iterative || fail "iterative starts"
"$HERDLOAD" --port "$SRV_PORT" --rate 2000 --clients 4 --duration 3 --path /cpu/1000 \
	--json "$TMP/o.json" --quiet
corr=$(json "$TMP/o.json" latency_us.total.p99)
unc=$(json "$TMP/o.json" latency_us.total_uncorrected.p99)
ach=$(json "$TMP/o.json" config.achieved_rate)
ok "awk 'BEGIN { exit !($corr > 10 * $unc) }'" \
	"open loop past capacity: corrected p99 ($corr us) far above uncorrected ($unc us)"
ok "awk 'BEGIN { exit !($ach < 1500) }'" "the achieved rate ($ach/s) is reported below the requested 2000/s"
ok "srv_stop" "server stops cleanly"

# ---- against nginx ---------------------------------------------------------------
mkdir -p "$TMP/www/size"
yes "$PATTERN" | tr -d '\n' | head -c 10240 >"$TMP/www/size/10K"
nport=$(free_port)
if nginx_start "$TMP/nginx" "$nport" "$TMP/www"; then
	"$HERDLOAD" --port "$nport" --clients 16 --requests 2003 --path /size/10K --verify \
		--csv "$TMP/n.csv" --json "$TMP/n.json" --quiet
	is "$(csv_rows "$TMP/n.csv")" 2003 "nginx: 2003 requests -> 2003 CSV rows"
	is "$(json "$TMP/n.json" requests.ok)" 2003 "nginx: requests.ok = 2003, pattern verified"
	nhead=$(curl -s -H 'Connection: close' -D - -o /dev/null "http://127.0.0.1:$nport/size/10K" | wc -c)
	is "$(csv_sum "$TMP/n.csv" bytes_received)" $((2003 * (10240 + nhead))) "nginx: bytes exact"
	nginx_stop "$TMP/nginx"
else
	fail "nginx starts with its own config"
fi
