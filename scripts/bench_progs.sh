#!/bin/bash
# bench_progs.sh - what each of the tracer's programs costs per run under one fixed load:
# bpf_stats (kernel.bpf_stats_enabled, restored after) of the programs a herdlab trace
# holds, found by its own descriptors (/proc/PID/fdinfo), never by the machine's list;
# with the verifier's instruction counts (xlated, jited bytes) of each. The load: the
# busiest of bench_tracer.sh (prefork-epoll-exclusive, 2 workers, a new connection per
# request), a fixed herdload run of REQUESTS requests by 32 clients. Needs root.
#
#   scripts/bench_progs.sh [herdlab trace options, e.g. --attach tracepoints]
#   env: REQUESTS=40009 MODEL=prefork-epoll-exclusive WORKERS=2 TRACE_ENV="HERDLAB_SYS_ENTER=1"
cd "$(dirname "$0")/.."
B=${BUILD:-build}
d=$(mktemp -d /tmp/bench_progs.XXXXXX)
old=$(sysctl -n kernel.bpf_stats_enabled)
$B/herdsrv --model ${MODEL:-prefork-epoll-exclusive} --workers ${WORKERS:-2} --port 0 --quiet \
	>$d/srv.out 2>$d/srv.err &
SP=$!
for i in $(seq 100); do grep -q '^listening on' $d/srv.out && break; sleep 0.05; done
P=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' $d/srv.out)
env $TRACE_ENV $B/herdlab trace --pid $SP --out $d/t "$@" >$d/trace.out 2>$d/trace.err &
TP=$!
sleep 1.5
sysctl -qw kernel.bpf_stats_enabled=1
$B/herdload --port $P --clients 32 --requests ${REQUESTS:-40009} --path /size/1K --quiet \
	--json $d/load.json >$d/load.out 2>&1
ids=$(for f in /proc/$TP/fdinfo/*; do sed -n 's/^prog_id:\s*//p' $f 2>/dev/null; done | sort -un)
printf '%-28s %9s %12s %7s %6s\n' program run_cnt run_time_ns ns/run insns
for id in $ids; do
	bpftool prog show id $id 2>/dev/null | tr '\n' ' '
	echo
done | awk '
  { name=""; rt=0; rc=0; x=0; for (i=1;i<=NF;i++) { if ($i=="name") name=$(i+1);
	if ($i=="run_time_ns") rt=$(i+1); if ($i=="run_cnt") rc=$(i+1); if ($i=="xlated") x=$(i+1) }
    if (rc > 0) printf "%-28s %9d %12d %7.0f %6s\n", name, rc, rt, rt/rc, x }'
sysctl -qw kernel.bpf_stats_enabled=$old
kill -INT $TP
wait $TP
kill $SP
wait $SP
grep -h -i -E 'attach|tracer' $d/trace.err | head -3
rm -rf $d
