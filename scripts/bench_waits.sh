#!/bin/bash
# bench_waits.sh - what the waits object (--waits, bpf/waits.bpf.c) costs per program run,
# under a busy epoll load: bpf_stats (kernel.bpf_stats_enabled, restored after) of the
# programs a herdlab trace --waits holds, found by its own descriptors (/proc/PID/fdinfo),
# never by the machine's list. Needs root. MODEL=epoll by default.
cd "$(dirname "$0")/.."
B=${BUILD:-build}
d=$(mktemp -d /tmp/bench_waits.XXXXXX)
old=$(sysctl -n kernel.bpf_stats_enabled)
$B/herdsrv --model ${MODEL:-epoll} --port 0 >$d/srv.out 2>$d/srv.err &
SP=$!
for i in $(seq 100); do grep -q '^listening on' $d/srv.out && break; sleep 0.05; done
P=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' $d/srv.out)
$B/herdlab trace --waits --pid $SP --duration 12 --out $d/t >$d/trace.out 2>$d/trace.err &
TP=$!
sleep 1.5
sysctl -qw kernel.bpf_stats_enabled=1
$B/herdload --port $P --clients 16 --keepalive 100 --duration 5 --quiet >$d/load.out 2>&1
# the tracer's own program fds -> prog ids
ids=$(for f in /proc/$TP/fdinfo/*; do sed -n 's/^prog_id:\s*//p' $f; done | sort -un)
for id in $ids; do bpftool prog show id $id 2>/dev/null | head -1; done | awk '
  { name=""; rt=0; rc=0; for (i=1;i<=NF;i++) { if ($i=="name") name=$(i+1); if ($i=="run_time_ns") rt=$(i+1); if ($i=="run_cnt") rc=$(i+1) }
    if (rc > 0) printf "%-28s run_cnt %10d  run_time_ns %12d  ns/run %.0f\n", name, rc, rt, rt/rc }'
sysctl -qw kernel.bpf_stats_enabled=$old
wait $TP
kill $SP; wait $SP
echo "the server's calls: $($B/tests/tools/jsonget $d/t/trace.json wait.total.calls)"
rm -rf $d
