#!/usr/bin/env bash
# bench_guest_tracer.sh - what tracing costs the server where the kernel allows
# fexit: inside one qemu guest (herdlab kernels --guest-run), the herd study's
# busiest load untraced, traced by the tracepoints path and traced by the fexit
# path, in paired rounds as scripts/bench_tracer.sh does (its statistics:
# scripts/stats.sh).
#
# This host refuses fentry/fexit, so a guest is the only place here where both
# paths run. The emulator's absolute speed means nothing (TCG, about 14 times
# slower than the host, and shared with whatever else the machine runs): only
# each pair's ratio, traced over the untraced run right beside it in the same
# guest, is kept. The load: the herd study's (herdlab kernels' default: 8
# workers, herdload --clients 2 --path /size/1K, a new connection per request)
# on its busiest model in the guests (prefork-reuseport: the most requests/s on
# 6.1 in reports/kernels, so the most tracer events per second).
# Goal: fexit >= 97% of untraced; tracepoints on the same guest for comparison.
# Writes its section of reports/bench/tracer-guest.md (replaced when run again; make
# bench-tracer writes reports/bench/tracer.md whole, so the guest's results live apart).
# Needs root, qemu-system-x86_64, a static busybox and the static programs.
#
#   scripts/bench_guest_tracer.sh   (env: KERNEL=6.1|PATH ROUNDS=12 SECONDS_PER_RUN=4
#                                     MODEL=prefork-reuseport WORKERS=8 CLIENTS=2)
set -euo pipefail
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/stats.sh"
cd "$HERD_ROOT"

ROUNDS=${ROUNDS:-12}
RUN_S=${SECONDS_PER_RUN:-4}
MODEL=${MODEL:-prefork-reuseport}
WORKERS=${WORKERS:-8}
CLIENTS=${CLIENTS:-2}
OBSERVERS="tracepoints fexit"
OUT=reports/bench/tracer-guest.md
HEADING="## In a guest: the tracepoints path against fexit"
HERDLAB=$HERD_BUILD/herdlab
CACHE=${HERDLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/herdlab}
[ "$(id -u)" -eq 0 ] || { echo "bench_guest_tracer: needs root (BPF in the guest, qemu)" >&2; exit 1; }
# The kernel: 6.1 from the cache as a path when it is there (no apt at all), else by name.
KERNEL=${KERNEL:-6.1}
if [ "$KERNEL" = 6.1 ] && [ -f "$CACHE/kernels/6.1.json" ]; then
	cached=$(sed -n 's/.*"vmlinuz": *"\([^"]*\)".*/\1/p' "$CACHE/kernels/6.1.json")
	[ -r "$cached" ] && KERNEL=$cached
fi
TMPD=$(mktemp -d /tmp/herdguestbench.XXXXXX)
trap 'rm -rf "$TMPD" "$OUT.tmp"' EXIT

{
	echo "MODEL=$MODEL WORKERS=$WORKERS CLIENTS=$CLIENTS RUN_S=$RUN_S ROUNDS=$ROUNDS"
	echo "OBSERVERS='$OBSERVERS'"
	cat scripts/bench_guest_tracer.guest.sh
} >"$TMPD/guest.sh"
# a round: four runs and two tracer loads; the bound is generous, the emulator slow
timeout_s=$((300 + ROUNDS * (4 * RUN_S + 120)))
t0=$(date +%s)
load0=$(cut -d' ' -f1 /proc/loadavg)
"$HERDLAB" kernels --kernels "$KERNEL" --guest-run "$TMPD/guest.sh" --timeout "$timeout_s" \
	--out "$TMPD/k" >"$TMPD/kernels.out" 2>"$TMPD/kernels.err" || true
took=$(($(date +%s) - t0))
load1=$(cut -d' ' -f1 /proc/loadavg)
G=$(dirname "$(ls "$TMPD"/k/*/rounds.txt 2>/dev/null | head -1)")
# what came back (rounds.txt, each path's trace.json, the guest's logs) is kept under runs/
KEEP=runs/bench-guest-tracer-$(date -u +%Y%m%d-%H%M%S)
mkdir -p runs && cp -r "$TMPD/k" "$KEEP"
if [ ! -s "$G/rounds.txt" ]; then
	echo "bench_guest_tracer: no rounds came back from the guest:" >&2
	tr '\r' '\n' <"$TMPD/kernels.err" | grep -v '^\[' | tail -5 >&2
	[ -f "$G/guest-run.log" ] && tail -5 "$G/guest-run.log" >&2
	exit 1
fi
release=$("$HERD_BUILD/tests/tools/jsonget" "$TMPD/k/kernels.json" kernels.0.release 2>/dev/null || echo '?')
machine=$("$HERD_BUILD/tests/tools/jsonget" "$TMPD/k/kernels.json" guest_machine 2>/dev/null || echo 'qemu, TCG')
j() { "$HERD_BUILD/tests/tools/jsonget" "$G/check-$1/trace.json" "$2" 2>/dev/null || echo -; }
# bpf_share PATH: its programs' run time over the check run, as a share of the guest's CPUs (0.031)
bpf_share() {
	[ -s "$G/check-$1/bpf_stats" ] || { echo -; return; }
	awk '{ if ($3 > $2 && $4 > 0) printf "%.4f", $1 / 1e9 / (($3 - $2) * $4); else print "-" }' \
		"$G/check-$1/bpf_stats"
}

# cost_sentence: where each path's cost goes, from the medians and the programs' run time
cost_sentence() {
	local tool m b parts=()
	for tool in $OBSERVERS; do
		m=$(echo ${ratio[$tool]} | median)
		b=$(bpf_share "$tool")
		[ -n "$m" ] && [ "$b" != - ] || continue
		parts+=("$(awk -v m="$m" -v b="$b" -v t="$tool" 'BEGIN { printf "%s cost %.1f points of throughput and its programs ran %.1f%% of the CPUs", t, 100 * (1 - m), 100 * b }')")
	done
	[ ${#parts[@]} -gt 0 ] || return 0
	local joined=${parts[0]} i
	for ((i = 1; i < ${#parts[@]}; i++)); do joined+="; ${parts[i]}"; done
	echo
	echo "Where the cost goes: $joined. Points beyond the programs' own run time are the kernel's way to"
	echo "them (a tracepoint's or a trampoline's entry per event) and the tracer's process."
}
declare -A ratio
for tool in $OBSERVERS; do
	ratio[$tool]=$(awk -v t="$tool" '$2 == t && $3 > 0 && $4 > 0 { printf "%.4f ", $4 / $3 }' "$G/rounds.txt")
done
# a run with no throughput (a tracer that did not attach, a load that failed): its pair is dropped, and said
lost=$(awk '!($3 > 0 && $4 > 0) { n++ } END { print n + 0 }' "$G/rounds.txt")
rounds=$(awk 'END { print $1 + 0 }' "$G/rounds.txt")
{
	echo "$HEADING"
	echo
	echo "scripts/bench_guest_tracer.sh: inside one guest ($machine; kernel $release),"
	echo "the herd study's busiest load: $MODEL, $WORKERS workers, herdload --clients $CLIENTS"
	echo "--duration $RUN_S --path /size/1K (a new connection per request), the load generator in the"
	echo "guest too. $rounds rounds; in each, every path of herdlab trace --pid beside an untraced run of"
	echo "its own (which runs first alternates by round), the tracer loaded and attached before its run"
	echo "and stopped after it. Shown: the median of the pairs' ratios, its distribution-free 95%"
	echo "interval (scripts/stats.sh) and the extremes. Ratios only: the emulator's absolute speed"
	echo "means nothing. $(date -u +%Y-%m-%d), herdlab $(git rev-parse --short HEAD 2>/dev/null || echo '?'),"
	echo "the whole guest run $took s; the host's load average $load0 at its start, $load1 at its end (2 CPUs:"
	echo "above 2, something else ran beside the guest and the pairs spread wider).$([ "$lost" -gt 0 ] && echo " $lost pairs dropped: a run without throughput (guest-run.log says why).")"
	echo
	echo "| path | of untraced (median of pairs) | 95% interval | pairs (min - max) | tracer.attach | accepted / established (one run more) | its programs' run time (one run more) |"
	echo "|---|---:|---:|---:|---|---:|---:|"
	for tool in $OBSERVERS; do
		read -r lo hi < <(echo ${ratio[$tool]} | ci95)
		echo "| $tool | $(pct "$(echo ${ratio[$tool]} | median)") | $(pct "$lo") - $(pct "$hi") |" \
			"$(pct "$(echo ${ratio[$tool]} | sorted | head -1)") - $(pct "$(echo ${ratio[$tool]} | sorted | tail -1)") |" \
			"$(j "$tool" tracer.attach) | $(j "$tool" accept.accepted) / $(j "$tool" tcp.established) |" \
			"$(pct "$(bpf_share "$tool")") |"
	done
	echo
	echo "tracer.attach and the counts: trace.json of one more traced run per path after the rounds,"
	echo "not timed (herdlab trace --out): the path the tracer took, and both ends of the count."
	echo "Its programs' run time: bpf_stats over that run (run_time_ns of the tracer's programs, by"
	echo "its own descriptors), as a share of the guest's CPUs: what the programs themselves cost,"
	echo "apart from how the kernel reaches them."
	echo "The tracepoints path puts every system call of the guest (the load generator's too) on the"
	echo "traced entry and exit; fexit attaches to the exits of inet_csk_accept, kernel_clone and"
	echo "release_task and leaves the system calls alone."
	echo
	read -r lo hi < <(echo ${ratio[fexit]} | ci95)
	echo "Goal: fexit >= 97% of untraced: median $(pct "$(echo ${ratio[fexit]} | median)"), $(goal_verdict "$lo" "$hi" 0.97)."
	read -r lo hi < <(echo ${ratio[tracepoints]} | ci95)
	echo "The tracepoints path on the same guest: median $(pct "$(echo ${ratio[tracepoints]} | median)") ($(goal_verdict "$lo" "$hi" 0.97) against the same 97%)."
	cost_sentence
} >"$TMPD/section.md"
# The file with this section replaced (or added at the end): the other sections stay.
[ -e "$OUT" ] || printf '# The tracer in a guest (scripts/bench_guest_tracer.sh, make bench-guest-tracer)\n' >"$OUT"
awk -v h="$HEADING" '
	$0 == h { skip = 1; next }
	skip && /^## / { skip = 0 }
	skip { next }
	/^$/ { blank++; next } # blank lines held until a line follows them: none at the end
	{ while (blank) { print ""; blank-- } print }
' "$OUT" >"$OUT.tmp"
{ echo; cat "$TMPD/section.md"; } >>"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT (the guest's results: $KEEP)"
tail -2 "$OUT"
