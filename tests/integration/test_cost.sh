#!/usr/bin/env bash
# test_cost.sh - herdlab run's cgroups: the server's and herdload's own cost
# (run.json cost.server.*, cost.client.*) against known answers, the limits
# (--mem-limit, --pids-limit, --cpus), and that no cgroup is left however the
# run ends (success, failure, SIGINT; a SIGKILL'ed herdlab's by the next run).
# Needs root (cgroups are made and removed): skips otherwise, fails under CI=true.
source "$(dirname "$0")/lib.sh"
N=211

require_root "herdlab run's cgroups"
j() { "$JSONGET" "$1/run.json" "$2"; }
# The cgroup directories herdlab PID made, in any hierarchy.
left() { find /sys/fs/cgroup -maxdepth 8 -type d -name "herdlab-$1-*" 2>/dev/null | wc -l; }
# herdlab run ARGS in the background (its pid in BG), then waited for; its exit code.
run_wait() {
	"$HERDLAB" run --no-trace "$@" >"$TMP/out.$BASHPID" 2>&1 &
	BG=$!
	wait $BG
}

# ---- CPU: a known total --------------------------------------------------------------------
# 211 requests of /cpu/2000 burn 211 x 2000 us = 422 ms of the server's CPU
# (CLOCK_THREAD_CPUTIME_ID: on-CPU time, not wall time). The server spends more
# on each request (accept, parse, write, close): a run beside it of 211 x /size/1
# measures that overhead. So cpu(/cpu/2000) should be 422 ms + cpu(/size/1), within 5%.
cpu_ns() { echo $(($(j "$1" cost.server.cpu_user_ns) + $(j "$1" cost.server.cpu_system_ns))); }
run_wait --model epoll --clients 1 --requests $N --path /cpu/2000 --out "$TMP/cpu"
is "$(j "$TMP/cpu" complete)/$(j "$TMP/cpu" cost.cgroup | grep -c '^v[12]$')" "true/1" \
	"a /cpu/2000 run completes, measured by a cgroup ($(j "$TMP/cpu" cost.cgroup))"
is "$(left $BG)" 0 "after a run that succeeded, no cgroup of its herdlab is left"
run_wait --model epoll --clients 1 --requests $N --path /size/1 --out "$TMP/size"
burn=$(cpu_ns "$TMP/cpu") base=$(cpu_ns "$TMP/size") want=$((N * 2000 * 1000))
ok "awk 'BEGIN { e = $want + $base; d = $burn - e; if (d < 0) d = -d; exit !(d <= 0.05 * e) }'" \
	"server CPU of $N x /cpu/2000 ($burn ns) = $want ns + the /size/1 run's $base ns, within 5%"
ok "[ $(j "$TMP/cpu" cost.client.cpu_user_ns) -ge 0 ] && [ $(j "$TMP/cpu" cost.client.pids_peak) -ge 1 ]" \
	"herdload's own cost is measured apart (cost.client)"

# ---- tasks: a forking model ---------------------------------------------------------------
# 5 clients each holding a /sleep/300 request: the fork model has 5 children at once.
run_wait --model fork --clients 5 --requests 23 --path /sleep/300 --out "$TMP/fork"
ok "[ $(j "$TMP/fork" cost.server.pids_peak) -ge 6 ]" \
	"fork, 5 concurrent clients: pids_peak >= 1 + 5 ($(j "$TMP/fork" cost.server.pids_peak))"

# ---- limits --------------------------------------------------------------------------------
# --send read: each fork child reads a 30 MB file whole into memory; 4 at once cannot fit in 48 MB.
mkdir -p "$TMP/doc" && head -c $((30 << 20)) /dev/zero >"$TMP/doc/big"
run_wait --model fork --mem-limit 48M --send read --docroot "$TMP/doc" --path /files/big \
	--clients 4 --requests 7 --out "$TMP/oom"
is "$(j "$TMP/oom" complete)" true "--mem-limit 48M against --send read of 30 MB: the run completes"
ok "[ $(j "$TMP/oom" cost.server.oom_kills) -gt 0 ]" \
	"... and its OOM kills are counted ($(j "$TMP/oom" cost.server.oom_kills))"
is "$(j "$TMP/oom" cost.server.memory_limit_bytes)" $((48 << 20)) "... and the limit is recorded"
"$HERDLAB" report "$TMP/oom" >"$TMP/oom.txt" 2>&1
ok "grep -qi 'oom kills' '$TMP/oom.txt'" "herdlab report shows the OOM kills"
run_wait --model fork --pids-limit 3 --clients 5 --requests 23 --path /sleep/200 --out "$TMP/pids"
ok "[ $(j "$TMP/pids" cost.server.forks_refused) -gt 0 ] && [ $(j "$TMP/pids" cost.server.pids_peak) -le 3 ]" \
	"--pids-limit 3: forks refused ($(j "$TMP/pids" cost.server.forks_refused)), pids_peak <= 3"
is "$(j "$TMP/pids" complete)" true "... and the run completes"
if [ "$(nproc)" -ge 2 ]; then
	run_wait --model epoll --cpus 0:1 --clients 1 --requests $N --path /size/1 --out "$TMP/cpus"
	is "$(j "$TMP/cpus" cost.server.cpus)/$(j "$TMP/cpus" cost.client.cpus)" "0/1" \
		"--cpus 0:1 pins the server to CPU 0 and herdload to CPU 1 ($(j "$TMP/cpus" cost.server.cpus_by))"
else
	skip "--cpus 0:1" "one CPU"
fi
run_wait --model epoll --mem-limit 12Q --requests 1 --out "$TMP/bad"
is "$?/$(test -e "$TMP/bad" && echo dir)" "2/" "--mem-limit 12Q is refused before anything starts"

# ---- no cgroup left however the run ends ------------------------------------------------
# Failure: the server cannot even start within 256 KB.
run_wait --model thread --mem-limit 256K --requests 1 --out "$TMP/fail"
rc=$?
ok "[ $rc -ne 0 ]" "a server that cannot start in --mem-limit 256K fails the run (exit $rc)"
is "$(left $BG)" 0 "after a run that failed, no cgroup of its herdlab is left"
"$HERDLAB" run --no-trace --model epoll --clients 1 --duration 11 --out "$TMP/int" >/dev/null 2>&1 &
BG=$!
sleep 2
ok "[ $(left $BG) -gt 0 ]" "a running herdlab run has its cgroups ($(left $BG) directories)"
kill -INT $BG
wait $BG
is "$(left $BG)" 0 "after SIGINT, no cgroup of its herdlab is left"
ok "grep -q '\"cost\"' '$TMP/int/run.json' && [ $(j "$TMP/int" cost.server.cpu_user_ns) -ge 0 ]" \
	"an interrupted run still records its cost"
"$HERDLAB" run --no-trace --model epoll --clients 1 --duration 11 --out "$TMP/kill" >/dev/null 2>&1 &
BG=$!
sleep 2
kill -KILL $BG
{ wait $BG; } 2>/dev/null
sleep 0.5 # its children die with it (PR_SET_PDEATHSIG)
ok "[ $(left $BG) -gt 0 ]" "a SIGKILL'ed herdlab leaves its cgroups ($(left $BG))"
killed=$BG
run_wait --model epoll --clients 1 --requests 3 --out "$TMP/next"
is "$(left $killed)/$(left $BG)" "0/0" "the next run removes them (and its own)"

# ---- traced: the same numbers ----------------------------------------------------------------
if [ -r /sys/kernel/btf/vmlinux ]; then
	"$HERDLAB" run --model epoll --clients 1 --requests $N --path /size/1 --out "$TMP/traced" \
		>/dev/null 2>&1
	ok "[ $(j "$TMP/traced" cost.server.cpu_user_ns) -ge 0 ] && [ $(j "$TMP/traced" traced) = true ]" \
		"a traced run has its cost too"
else
	skip "a traced run has its cost too" "no BTF"
fi
echo "1..$TAP_N"
