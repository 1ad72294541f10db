#!/usr/bin/env bash
# test_srvload.sh - what herdload and herdsrv record of a run themselves, through
# herdlab run into the run directory and run.json (session/sidefiles.h), against
# known answers: --phases, clients.csv, server_stats, --send read under --mem-limit,
# select past FD_SETSIZE, and prefork-dynamic's pool through a burst.
# Needs root (herdlab run's cgroups, the tracer): skips otherwise, never under CI=true.
source "$(dirname "$0")/lib.sh"

require_root "herdlab run's side files"
j() { "$JSONGET" "$1/run.json" "$2"; }
run() { "$HERDLAB" run "$@" >"$TMP/out.$BASHPID" 2>&1; }
# Sum of column NAME (by the header) of CSV FILE.
colsum() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
	{ s += $k } END { print s + 0 }' "$1"; }

# ---- --phases -------------------------------------------------------------------------------
run --model epoll --no-trace --out "$TMP/ph" \
	--phases 2s:clients=2:/size/1K,2s:clients=13:/sleep/100,1s:clients=2
total=$(j "$TMP/ph" client.requests.total)
sum=$(($(j "$TMP/ph" load.phases.0.requests) + $(j "$TMP/ph" load.phases.1.requests) + \
	$(j "$TMP/ph" load.phases.2.requests)))
is "$(j "$TMP/ph" complete)/$sum" "true/$total" \
	"--phases, 3 phases: the phases' requests add up to the total ($total)"
ok "awk 'BEGIN { exit !($(j "$TMP/ph" load.phases.1.p50_us) >= 100000) }'" \
	"... the /sleep/100 phase has p50 >= 100 ms ($(j "$TMP/ph" load.phases.1.p50_us) us)"
ok "awk 'BEGIN { exit !($(j "$TMP/ph" load.phases.0.p50_us) < 50000) }'" \
	"... and the /size/1K phase far less ($(j "$TMP/ph" load.phases.0.p50_us) us)"
is "$(j "$TMP/ph" load.phases.1.clients)/$(j "$TMP/ph" load.phases.1.path)" "13//sleep/100" \
	"... each phase's clients and path are recorded"
"$HERDLAB" report "$TMP/ph" >"$TMP/ph.txt" 2>&1
ok "grep -q '^Phases' '$TMP/ph.txt' && grep -q '/sleep/100' '$TMP/ph.txt'" \
	"herdlab report has the per-phase table"
"$HERDLAB" report --format html "$TMP/ph" >"$TMP/ph.html" 2>&1
ok "grep -q 'Phases' '$TMP/ph.html'" "... in HTML too"

# ---- clients.csv and server_stats ------------------------------------------------------------
is "$(colsum "$TMP/ph/clients.csv" requests)/$(colsum "$TMP/ph/clients.csv" ok)" \
	"$total/$(j "$TMP/ph" client.requests.ok)" "clients.csv rows add up to herdload's totals"
is "$(j "$TMP/ph" load.clients.count)/$(j "$TMP/ph" load.clients.requests)" "13/$total" \
	"... load.clients has the 13 clients of the largest phase and the total"
is "$(colsum "$TMP/ph/server_stats.csv" requests)/$(j "$TMP/ph" server.stats.requests)" \
	"$(j "$TMP/ph" client.requests.ok)/$(j "$TMP/ph" client.requests.ok)" \
	"server_stats rows add up to the requests served"
ok "[ -s '$TMP/ph/server_stats.json' ] && [ $(j "$TMP/ph" server.stats.addresses) -eq 1 ]" \
	"... server_stats.json is written, one source address"

# ---- --send read of a 20 MB file under --mem-limit 16M ------------------------------------
mkdir -p "$TMP/doc"
head -c $((20 << 20)) /dev/urandom >"$TMP/doc/big"
run --model prefork --no-trace --out "$TMP/rd" --mem-limit 16M --workers 2 --send read \
	--docroot "$TMP/doc" --path /files/big --clients 2 --requests 7 --timeout 5
is "$(j "$TMP/rd" complete)/$(j "$TMP/rd" server.send)" "true/read" \
	"--send read of 20 MB under --mem-limit 16M: the run completes, server.send = read"
ok "[ $(j "$TMP/rd" cost.server.oom_kills) -gt 0 ] || [ $(j "$TMP/rd" client.requests.failed) -gt 0 ]" \
	"... OOM kills ($(j "$TMP/rd" cost.server.oom_kills)) or failed transfers ($(j "$TMP/rd" client.requests.failed))"
ok "[ $(j "$TMP/rd" server.counters.workers_replaced) -gt 0 ]" \
	"... and the killed workers were replaced ($(j "$TMP/rd" server.counters.workers_replaced))"
# Without the limit, the body is in the server's memory: its peak is above 20 MB; sendfile's not.
run --model prefork --no-trace --out "$TMP/rd2" --workers 2 --send read --docroot "$TMP/doc" \
	--path /files/big --clients 1 --requests 3
run --model prefork --no-trace --out "$TMP/sf" --workers 2 --docroot "$TMP/doc" \
	--path /files/big --clients 1 --requests 3
ok "[ $(j "$TMP/rd2" cost.server.memory_peak_bytes) -gt $(j "$TMP/sf" cost.server.memory_peak_bytes) ]" \
	"--send read peaks above sendfile ($(j "$TMP/rd2" cost.server.memory_peak_bytes) > $(j "$TMP/sf" cost.server.memory_peak_bytes) bytes)"
"$HERDLAB" report "$TMP/rd" >"$TMP/rd.txt" 2>&1
ok "grep -q -- '--send read' '$TMP/rd.txt' && grep -qi 'workers replaced' '$TMP/rd.txt'" \
	"herdlab report says --send read and the counters"

# ---- select past FD_SETSIZE ------------------------------------------------------------------
run --model select --no-trace --out "$TMP/sel" --idle 1031 --requests 7 --clients 1
refused=$(j "$TMP/sel" server.counters.fd_setsize_refused)
seen=$(($(j "$TMP/sel" load.idle.failed) + $(j "$TMP/sel" client.requests.failed)))
ok "[ $refused -gt 0 ]" "select with 1031 idle connections: fd_setsize_refused > 0 ($refused)"
is "$refused" "$seen" "... equal to the connections the client saw fail (idle and requests)"

# ---- prefork-dynamic through a burst ---------------------------------------------------------
run --model prefork-dynamic --out "$TMP/dyn" --workers 5 --min-idle 2 --max-idle 5 \
	--phases 2s:clients=23:/sleep/300,2s:clients=1:/size/1
maxcsv=$(awk -F, 'NR > 1 && $5 > m { m = $5 } END { print m + 0 }' "$TMP/dyn/pool.csv")
last=$(tail -1 "$TMP/dyn/pool.csv" | cut -d, -f5)
is "$(j "$TMP/dyn" complete)/$(head -1 "$TMP/dyn/pool.csv")" "true/t_ns,t_s,idle,busy,total" \
	"prefork-dynamic: pool.csv is written"
ok "[ $maxcsv -gt 5 ] && [ $last -lt $maxcsv ]" \
	"... its total rises above the start size 5 (to $maxcsv) and comes back ($last)"
is "$(j "$TMP/dyn" server.pool.max_total)" "$maxcsv" "... pool.max_total is pool.csv's largest total"
procs=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "role") r = i; next }
	$r == "process" { n++ } END { print n - 1 }' "$TMP/dyn/tasks.csv")
is "$(j "$TMP/dyn" server.pool.forks)" "$procs" \
	"... pool.forks is the tracer's count of worker processes ($procs)"
ok "[ $(j "$TMP/dyn" server.pool.max_total) -le $(($(j "$TMP/dyn" cost.server.pids_peak) - 1)) ]" \
	"... and no more than the cgroup's peak of tasks, less the parent"
"$HERDLAB" report --format md "$TMP/dyn" >"$TMP/dyn.md" 2>&1
ok "grep -q 'Pool' '$TMP/dyn.md' && grep -q 'pool.svg' '$TMP/dyn.md' && [ -s '$TMP/dyn/plots/pool.svg' ]" \
	"herdlab report plots the pool (plots/pool.svg)"

echo "1..$TAP_N"
