#!/usr/bin/env bash
# test_loadgen.sh - herdload's numbers are exact: counts, bytes and CSV rows on
# known workloads, errors classified (refused, timeout), 20,000 concurrent
# keep-alive connections, coordinated omission corrected in open loop, and the
# same exactness against nginx (a server nobody here wrote).
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/common.sh"
HERDLOAD=$ROOT/$BUILD/herdload

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
