#!/usr/bin/env bash
# bench_loadgen.sh - herdload beside ab and wrk, against the same nginx, in one run.
#
# A new connection per request (ab without -k; wrk with 'Connection: close'),
# 16 and 128 concurrent clients, GET of a 1 KiB file. For each client: the
# connections/s it achieved and the CPU seconds it used (user + system, from
# /usr/bin/time) per 1000 requests. The goal: herdload reaches at least the best
# of ab's and wrk's connections/s with no more CPU per request, so the client
# never limits an experiment. Runs alternate between tools, ROUNDS times; the
# table shows the median of each cell.
#
#   scripts/bench_loadgen.sh        (env: SECONDS_PER_RUN=5, ROUNDS=3)
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$HERD_ROOT"

RUN_S=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-3}
OUT=reports/bench/loadgen.md
TMPD=$(mktemp -d /tmp/herdbench.XXXXXX)
trap 'nginx_stop "$TMPD/nginx"; rm -rf "$TMPD"' EXIT
ulimit -n 65536 2>/dev/null || true

mkdir -p "$TMPD/www/size"
head -c 1024 /dev/zero | tr '\0' 'x' >"$TMPD/www/size/1K"
port=$(free_port)
nginx_start "$TMPD/nginx" "$port" "$TMPD/www"
URL=http://127.0.0.1:$port/size/1K

# Each prints "conns_per_s cpu_s_per_1000 failed" for one run.
timed() { /usr/bin/time -f '%U %S' -o "$TMPD/time" "$@" >"$TMPD/out" 2>&1 || true; }
cpu_s() { awk '{ print $1 + $2 }' "$TMPD/time"; }

run_ab() {
	timed ab -q -t "$RUN_S" -n 100000000 -c "$1" "$URL"
	local done failed rps
	done=$(awk '/^Complete requests/ { print $3 }' "$TMPD/out")
	failed=$(awk '/^Failed requests/ { print $3 }' "$TMPD/out")
	rps=$(awk '/^Requests per second/ { print $4 }' "$TMPD/out")
	echo "$rps $(awk -v c="$(cpu_s)" -v n="${done:-1}" 'BEGIN { printf "%.3f", 1000 * c / n }') ${failed:-?}"
}

run_wrk() {
	local t=2
	timed wrk -t "$t" -c "$1" -d "${RUN_S}s" -H 'Connection: close' "$URL"
	local done rps errs
	done=$(awk '/requests in/ { print $1 }' "$TMPD/out")
	rps=$(awk '/^Requests\/sec/ { print $2 }' "$TMPD/out")
	errs=$(awk '/Socket errors/ { n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i; print n }' "$TMPD/out")
	echo "$rps $(awk -v c="$(cpu_s)" -v n="${done:-1}" 'BEGIN { printf "%.3f", 1000 * c / n }') ${errs:-0}"
}

run_herdload() {
	timed "$HERD_BUILD/herdload" --url "$URL" --clients "$1" --duration "$RUN_S" --threads 2 \
		--json "$TMPD/h.json" --quiet
	local cps ok failed
	cps=$("$HERD_BUILD/tests/tools/jsonget" "$TMPD/h.json" throughput.connections_per_s)
	ok=$("$HERD_BUILD/tests/tools/jsonget" "$TMPD/h.json" requests.ok)
	failed=$("$HERD_BUILD/tests/tools/jsonget" "$TMPD/h.json" requests.failed)
	echo "$cps $(awk -v c="$(cpu_s)" -v n="${ok:-1}" 'BEGIN { printf "%.3f", 1000 * c / n }') ${failed:-?}"
}

# median FORMAT: the median of the numbers on stdin, printed with FORMAT.
median() { sort -g | awk -v f="$1" '{ v[NR] = $1 } END { printf f "\n", v[int((NR + 1) / 2)] }'; }

declare -A cps cpu fail
for c in 16 128; do
	for r in $(seq "$ROUNDS"); do
		for tool in herdload ab wrk; do
			read -r a b f < <("run_$tool" "$c")
			cps[$tool,$c]+="$a "
			cpu[$tool,$c]+="$b "
			fail[$tool,$c]=$(( ${fail[$tool,$c]:-0} + ${f%.*} ))
			echo "bench: c=$c round $r $tool: $a conn/s, $b CPU s per 1000 requests, $f failed" >&2
		done
	done
done

{
	echo "# herdload beside ab and wrk: connections/s and client CPU"
	echo
	echo "Against one nginx (its own config, worker_processes auto) serving a 1 KiB file;"
	echo "a new connection per request; ${RUN_S} s per run; tools alternate, $ROUNDS rounds, medians shown."
	echo "CPU = the client's user + system seconds (/usr/bin/time) per 1000 completed requests."
	echo "Kernel $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%d), herdlab $(git rev-parse --short HEAD 2>/dev/null || echo '?')."
	echo "herdload --threads 2; wrk -t 2; ab is single-threaded. Client and nginx share the 2 cores."
	echo
	echo "| clients | tool | connections/s | CPU s / 1000 req | failed (all rounds) |"
	echo "|---:|---|---:|---:|---:|"
	for c in 16 128; do
		for tool in herdload ab wrk; do
			echo "| $c | $tool | $(echo ${cps[$tool,$c]} | tr ' ' '\n' | median %.0f) | $(echo ${cpu[$tool,$c]} | tr ' ' '\n' | median %.3f) | ${fail[$tool,$c]} |"
		done
	done
	echo
	for c in 16 128; do
		h=$(echo ${cps[herdload,$c]} | tr ' ' '\n' | median %.0f)
		a=$(echo ${cps[ab,$c]} | tr ' ' '\n' | median %.0f)
		w=$(echo ${cps[wrk,$c]} | tr ' ' '\n' | median %.0f)
		hc=$(echo ${cpu[herdload,$c]} | tr ' ' '\n' | median %.4f)
		ac=$(echo ${cpu[ab,$c]} | tr ' ' '\n' | median %.4f)
		wc=$(echo ${cpu[wrk,$c]} | tr ' ' '\n' | median %.4f)
		awk -v c="$c" -v h="$h" -v a="$a" -v w="$w" -v hc="$hc" -v ac="$ac" -v wc="$wc" 'BEGIN {
			best = a > w ? a : w; bc = a > w ? ac : wc; bt = a > w ? "ab" : "wrk"
			printf "At %d clients: herdload %.0f conn/s = %.0f%% of the best other (%s, %.0f); CPU per request %.0f%% of %s'"'"'s.\n", c, h, 100 * h / best, bt, best, 100 * hc / bc, bt
		}'
	done
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT"
tail -2 "$OUT"
