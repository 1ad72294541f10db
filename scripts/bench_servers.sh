#!/usr/bin/env bash
# bench_servers.sh - requests/s of every model beside nginx, in one run.
#
# GET /size/1K with a new connection per request, at 1, 16 and 128 concurrent
# clients, driven by ab (HTTP/1.0, no keep-alive) and wrk (-H 'Connection: close').
# nginx serves a 1 KiB file from its own config on a loopback port. Every number
# in a row comes from the same session, so read ratios, not absolute values: these
# are shared 2-core machines and the client runs on the same cores.
#
#   scripts/bench_servers.sh [MODEL...]      (env: SECONDS_PER_RUN=3, WORKERS=4)
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$HERD_ROOT"

RUN_S=${SECONDS_PER_RUN:-3}
WORKERS=${WORKERS:-4}
OUT=reports/bench/servers.md
TMPD=$(mktemp -d /tmp/herdbench.XXXXXX)
trap 'nginx_stop "$TMPD/nginx"; rm -rf "$TMPD"' EXIT
ulimit -n 65536 2>/dev/null || true

# ab for RUN_S seconds (-t takes whole seconds; -n after it lifts its 50000 cap).
ab_rps() {
	local url=$1 c=$2 out failed rps
	out=$(ab -q -t "$RUN_S" -n 100000000 -c "$c" "$url" 2>&1) || { echo "err"; return; }
	failed=$(echo "$out" | awk '/^Failed requests/ { print $3 }')
	rps=$(echo "$out" | awk '/^Requests per second/ { printf "%.0f", $4 }')
	[ "${failed:-1}" = 0 ] && echo "$rps" || echo "${rps}*"
}

wrk_rps() {
	local url=$1 c=$2 t out
	t=$(( c < 2 ? 1 : 2 ))
	out=$(wrk -t "$t" -c "$c" -d "${RUN_S}s" -H 'Connection: close' "$url" 2>&1) || { echo "err"; return; }
	local rps errs
	rps=$(echo "$out" | awk '/^Requests\/sec/ { printf "%.0f", $2 }')
	errs=$(echo "$out" | grep -cE 'Socket errors|Non-2xx' || true)
	[ "$errs" = 0 ] && echo "$rps" || echo "${rps}*"
}

measure() { # NAME URL -> one table row
	local name=$1 url=$2 c row
	row="| $name |"
	for c in 1 16 128; do row="$row $(ab_rps "$url" "$c") |"; done
	for c in 1 16 128; do row="$row $(wrk_rps "$url" "$c") |"; done
	echo "$row"
	echo "bench: $row" >&2
}

models=("$@")
[ ${#models[@]} -gt 0 ] || mapfile -t models < <("$HERD_BUILD/herdsrv" --list | awk '{print $1}')

mkdir -p "$TMPD/www/size"
head -c 1024 /dev/zero | tr '\0' 'x' >"$TMPD/www/size/1K"
port=$(free_port)
nginx_start "$TMPD/nginx" "$port" "$TMPD/www"
rows=("$(measure "nginx (reference)" "http://127.0.0.1:$port/size/1K")")
nginx_stop "$TMPD/nginx"

for m in "${models[@]}"; do
	args=(--workers "$WORKERS")
	[ "$m" = fork ] && args+=(--reap sigchld)
	if ! herdsrv_start S "$m" "${args[@]}"; then
		rows+=("| $m | failed to start | | | | | |")
		continue
	fi
	rows+=("$(measure "$m" "http://127.0.0.1:$S_PORT/size/1K")")
	herdsrv_stop "$S_PID"
done

# Best event-driven model against nginx at 16 and 128 clients (wrk columns).
event_models="epoll epoll-threads select poll sigio uring prefork-reuseport prefork-epoll prefork-epoll-exclusive"
summary=$(printf '%s\n' "${rows[@]}" | awk -F'|' -v ev="$event_models" '
	BEGIN { n = split(ev, e, " "); for (i = 1; i <= n; i++) is_ev[e[i]] = 1 }
	{ name = $2; gsub(/^ +| +$/, "", name) }
	name ~ /^nginx/ { n16 = $7 + 0; n128 = $8 + 0; next }
	is_ev[name] { if ($7 + 0 > b16) { b16 = $7 + 0; m16 = name } if ($8 + 0 > b128) { b128 = $8 + 0; m128 = name } }
	END {
		if (n16 > 0 && n128 > 0)
			printf "Best event-driven model, wrk: at 16 clients %s = %.0f%% of nginx; at 128 clients %s = %.0f%% of nginx (goal: >= 90%%).\n", m16, 100 * b16 / n16, m128, 100 * b128 / n128
	}')

{
	echo "# herdsrv models beside nginx: requests/s, a new connection per request"
	echo
	echo "GET /size/1K (nginx: a 1 KiB file), ${RUN_S} s per cell, --workers $WORKERS, nginx worker_processes auto."
	echo "Kernel $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%d), herdlab $(git rev-parse --short HEAD 2>/dev/null || echo '?')."
	echo "ab $(ab -V | awk '/^This is/ {print $5}' | tr -d ,), wrk with -H 'Connection: close'; client and server share the machine's cores."
	echo "A '*' marks a run with failed requests or socket errors."
	echo
	echo "| model | ab c=1 | ab c=16 | ab c=128 | wrk c=1 | wrk c=16 | wrk c=128 |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	printf '%s\n' "${rows[@]}"
	echo
	echo "$summary"
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT"
echo "$summary"
