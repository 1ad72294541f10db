# lib.sh - what every integration test shares: TAP output, starting and
# stopping herdsrv, watching its process tree. Sourced, not run.
#
#   srv_start MODEL [ARGS...]   start build/herdsrv on port 0; sets SRV_PID, SRV_PORT, SRV_LOG
#   srv_stop                    SIGTERM, then check the whole tree is gone and nothing is a zombie
#   ok COND DESC / is A B DESC  TAP checks; skip DESC REASON
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
HERDSRV=$ROOT/$BUILD/herdsrv
HERDLAB=$ROOT/$BUILD/herdlab
HERDLOAD=$ROOT/$BUILD/herdload
JSONGET=$ROOT/$BUILD/tests/tools/jsonget
HOLDCONNS=$ROOT/$BUILD/tests/tools/holdconns
TMP=$(mktemp -d /tmp/herdtest.XXXXXX)
TAP_N=0
SRV_PID=
trap 'srv_kill_quietly; rm -rf "$TMP"' EXIT

pass() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1"; }
fail() { TAP_N=$((TAP_N + 1)); echo "not ok $TAP_N - $1"; [ -n "${2:-}" ] && echo "#   $2"; return 0; }
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }
# ok "test expression" "description"
ok() { if eval "$1"; then pass "$2"; else fail "$2" "failed: $1"; fi; }
# is ACTUAL EXPECTED "description"
is() { if [ "$1" = "$2" ]; then pass "$3"; else fail "$3" "got '$1', expected '$2'"; fi; }

# The pattern GET /size/N serves (lib/pattern.h).
PATTERN=0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz
pattern_md5() { yes "$PATTERN" | tr -d '\n' | head -c "$1" | md5sum | cut -d' ' -f1; }

# Every model, from the binary's own table.
all_models() { "$HERDSRV" --list | awk '{print $1}'; }

# Every descendant of process $1, one per line, children before grandchildren: one ps of
# the whole table, walked in awk
# (a ps per child would read /proc once per zombie of a 2003-zombie fork server).
descendants() {
	ps -e -o pid=,ppid= 2>/dev/null | awk -v root="$1" '
		{ kids[$2] = kids[$2] " " $1 }
		END {
			n = split(kids[root], queue, " ")
			for (i = 1; i <= n; i++) {
				print queue[i]
				m = split(kids[queue[i]], more, " ")
				for (j = 1; j <= m; j++)
					queue[++n] = more[j]
			}
		}'
}

srv_start() {
	local model=$1 i
	shift
	SRV_LOG=$TMP/srv.$model.$RANDOM
	"$HERDSRV" --model "$model" --port 0 "$@" >"$SRV_LOG.out" 2>"$SRV_LOG.err" &
	SRV_PID=$!
	for i in $(seq 200); do
		grep -q '^listening on' "$SRV_LOG.out" 2>/dev/null && break
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.05
	done
	SRV_PORT=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$SRV_LOG.out")
	if [ -z "$SRV_PORT" ]; then
		echo "# $model did not start:"; sed 's/^/#   /' "$SRV_LOG.err" | tail -5
		SRV_PID=
		return 1
	fi
	URL=http://127.0.0.1:$SRV_PORT
}

# srv_stop [TIMEOUT]: SIGTERM; passes if the server exits 0 within TIMEOUT
# seconds and leaves no process of its tree behind, running or zombie.
SRV_TREE=
srv_stop() {
	local timeout=${1:-20} i rc left
	[ -n "$SRV_PID" ] || return 1
	SRV_TREE=$(descendants "$SRV_PID" | tr '\n' ' ')
	kill -TERM "$SRV_PID"
	for i in $(seq $((timeout * 20))); do
		kill -0 "$SRV_PID" 2>/dev/null || break
		# a zombie main process counts as gone; wait reaps it below
		[ "$(ps -o stat= -p "$SRV_PID" 2>/dev/null)" = "Z" ] && break
		sleep 0.05
	done
	if kill -0 "$SRV_PID" 2>/dev/null && [ "$(ps -o stat= -p "$SRV_PID")" != "Z" ]; then
		echo "# server $SRV_PID still running ${timeout}s after SIGTERM"
		kill -KILL "$SRV_PID" $SRV_TREE 2>/dev/null
		wait "$SRV_PID" 2>/dev/null
		SRV_PID=
		return 1
	fi
	wait "$SRV_PID"
	rc=$?
	SRV_PID=
	sleep 0.1
	left=
	for i in $SRV_TREE; do [ -d /proc/$i ] && left="$left $i($(ps -o stat=,comm= -p "$i" 2>/dev/null))"; done
	if [ -n "$left" ]; then
		echo "# left behind:$left"
		return 1
	fi
	[ "$rc" -eq 0 ] || { echo "# exit status $rc"; return 1; }
}

srv_kill_quietly() {
	if [ -n "${SRV_PID:-}" ]; then
		local tree
		tree=$(descendants "$SRV_PID")
		kill -KILL "$SRV_PID" $tree 2>/dev/null
		wait "$SRV_PID" 2>/dev/null
		SRV_PID=
	fi
}

# Children of the server (direct), and how many are zombies.
srv_children() { ps -o pid= --ppid "$SRV_PID" 2>/dev/null | wc -l; }
srv_zombies() { ps -o stat= --ppid "$SRV_PID" 2>/dev/null | grep -c '^Z'; }

# srv_wait_children N: a pool prints "listening" before its workers are all
# forked; wait (up to 10 s) until N children exist.
srv_wait_children() {
	local i
	for i in $(seq 200); do
		[ "$(srv_children)" -ge "$1" ] && return 0
		sleep 0.05
	done
	echo "# only $(srv_children) of $1 children after 10 s"
	return 1
}

# Send raw bytes on a new connection and print the status line that comes back.
raw_status() {
	local req=$1 wait=${2:-5}
	(
		exec 3<>/dev/tcp/127.0.0.1/"$SRV_PORT" || exit 1
		printf '%b' "$req" >&3
		timeout "$wait" head -n1 <&3 | tr -d '\r'
	)
}

# Tests of the tracer: skip (with the reason) unless root with a BTF kernel;
# run.sh turns the skip into a failure under CI=true.
require_tracer() {
	if [ "$(id -u)" -ne 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
		skip "$1" "needs root and a kernel with BTF"
		exit 0
	fi
}

# Tests that need root (namespaces, cgroups): skip (with the reason) unless root;
# run.sh turns the skip into a failure under CI=true.
require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		skip "$1" "needs root${2:+ ($2)}"
		exit 0
	fi
}

# Requests the server counted in its --stats CSV (after it stopped).
stats_requests() { awk -F, 'NR > 1 && $1 != "overflow" { n += $2 } END { print n + 0 }' "$1"; }
