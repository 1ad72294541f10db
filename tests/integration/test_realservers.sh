#!/usr/bin/env bash
# test_realservers.sh - the tracer is exact on servers nobody here wrote, attached
# by pid as a systems engineer would attach it:
#
#   apache2 (mpm_prefork, a private ServerRoot on loopback ports): one Listen (no
#     accept mutex, lingering-close polls that are not arrivals), two Listen with
#     every kind of accept mutex (pthread, fcntl, flock, sysvsem), and children
#     that respawn while traced (MaxConnectionsPerChild);
#   nginx: accept_mutex off and on, listen ... reuseport, 4 workers;
#
# each checked against the server's own access log: the accepts herdlab gives a
# worker are the requests that worker logged (%P, $pid), exactly. The arrival
# wakeups are checked against an independent count: every sched_waking of a
# server task whose waker's kernel stack holds tcp_child_process (the listener's
# sk_data_ready called for a new connection), counted by bpftrace. And perf,
# counting sys_exit_accept4 beside an attached herdlab, sees every accept.
#
# Needs root, BPF, apache2, nginx, bpftrace and perf (scripts/deps.sh installs them).
source "$(dirname "$0")/lib.sh"
N=1009

require_tracer "tracing apache2 and nginx"
chmod a+x "$TMP" # the servers' workers run as www-data or nobody and serve files from it
for prog in apache2 nginx bpftrace perf; do
	command -v $prog >/dev/null || command -v /usr/sbin/$prog >/dev/null || {
		skip "real servers" "$prog is not installed (scripts/deps.sh installs it)"
		exit 0
	}
done

TRACE_PID= SERVER_PID= BT_PID=
stop_all() {
	[ -n "$TRACE_PID" ] && kill -INT $TRACE_PID 2>/dev/null && wait $TRACE_PID 2>/dev/null
	[ -n "$BT_PID" ] && kill -TERM $BT_PID 2>/dev/null && wait $BT_PID 2>/dev/null
	if [ -n "$SERVER_PID" ]; then
		kill -TERM $SERVER_PID 2>/dev/null
		for _ in $(seq 100); do kill -0 $SERVER_PID 2>/dev/null || break; sleep 0.05; done
		kill -KILL $SERVER_PID $(descendants $SERVER_PID) 2>/dev/null
		wait $SERVER_PID 2>/dev/null
	fi
	TRACE_PID= SERVER_PID= BT_PID=
}
trap 'stop_all; rm -rf "$TMP"' EXIT

j() { "$JSONGET" "$TRACE_DIR/trace.json" "$1"; }

# A loopback port nothing listens on (below the ephemeral range, so no client takes it).
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 12000))
		ss -Htln "sport = :$p" | grep -q . || { echo $p; return; }
	done
}

# ---- the servers -------------------------------------------------------------------------

# workers_up N NAME ROOT: wait (5 s) for the started server's N workers; else say why.
workers_up() {
	local i
	for i in $(seq 100); do
		[ "$(ps -o pid= --ppid $SERVER_PID | wc -l)" -ge "$1" ] && return 0
		kill -0 $SERVER_PID 2>/dev/null || break
		sleep 0.05
	done
	echo "# $2 did not start:"
	sed 's/^/#   /' "$3/stdout" "$3/logs/error.log" 2>/dev/null | tail -5
	return 1
}

# apache_start LISTENS MUTEX MAXCONN: mpm_prefork with StartServers 8 under $TMP/apache.
# Its eight children are all it has unless MAXCONN makes them respawn: with one spare
# server required (not eight), the parent forks none while 4 clients keep at most 4 busy,
# so a count by the pids at the start (bpftrace's) and herdlab's, which follows forks,
# are of the same tasks.
apache_start() {
	local listens=$1 mutex=$2 maxconn=$3 root=$TMP/apache spare=1
	[ "$maxconn" -gt 0 ] && spare=8
	rm -rf "$root"
	mkdir -p "$root/htdocs" "$root/logs"
	head -c 1024 /dev/zero >"$root/htdocs/1k"
	PORT1=$(free_port) PORT2=$(free_port)
	{
		echo "ServerRoot $root"
		echo "LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so"
		echo "LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so"
		echo "ServerName localhost"
		echo "Listen 127.0.0.1:$PORT1"
		[ "$listens" -gt 1 ] && echo "Listen 127.0.0.1:$PORT2"
		case $mutex in # the file-based mutexes need a directory to put their file in
		none) ;;
		fcntl | flock) echo "Mutex $mutex:$root/logs mpm-accept" ;;
		*) echo "Mutex $mutex mpm-accept" ;;
		esac
		echo "User www-data"
		echo "Group www-data"
		echo "PidFile $root/logs/httpd.pid"
		echo "ErrorLog $root/logs/error.log"
		echo 'LogFormat "%P %r %>s" herd'
		echo "CustomLog $root/logs/access.log herd"
		echo "DocumentRoot $root/htdocs"
		echo "StartServers 8"
		echo "MinSpareServers $spare"
		echo "MaxSpareServers 16"
		echo "MaxRequestWorkers 16"
		echo "MaxConnectionsPerChild $maxconn"
		echo "KeepAlive Off"
		echo "<Directory $root/htdocs>"
		echo "Require all granted"
		echo "</Directory>"
	} >"$root/httpd.conf"
	chmod -R a+rX "$root"
	chown -R www-data "$root/logs" 2>/dev/null
	setsid /usr/sbin/apache2 -f "$root/httpd.conf" -DFOREGROUND >"$root/stdout" 2>&1 &
	SERVER_PID=$!
	ACCESS_LOG=$root/logs/access.log
	workers_up 8 apache2 "$root"
}

# nginx_start MODE: 4 workers, MODE off | on | reuseport, under $TMP/nginx.
nginx_start() {
	local mode=$1 root=$TMP/nginx mutex=off listen_opt=
	rm -rf "$root"
	mkdir -p "$root/html" "$root/logs"
	head -c 1024 /dev/zero >"$root/html/1k"
	PORT1=$(free_port)
	[ "$mode" = on ] && mutex=on
	[ "$mode" = reuseport ] && listen_opt=" reuseport"
	cat >"$root/nginx.conf" <<-EOF
		worker_processes 4;
		daemon off;
		pid $root/logs/nginx.pid;
		error_log $root/logs/error.log;
		events { accept_mutex $mutex; worker_connections 1024; }
		http {
			log_format herd '\$pid \$request \$status';
			access_log $root/logs/access.log herd;
			server { listen 127.0.0.1:$PORT1$listen_opt; root $root/html; }
		}
	EOF
	setsid /usr/sbin/nginx -p "$root" -c "$root/nginx.conf" >"$root/stdout" 2>&1 &
	SERVER_PID=$!
	ACCESS_LOG=$root/logs/access.log
	workers_up 4 nginx "$root"
}

# ---- tracing them --------------------------------------------------------------------------

# trace_pid: herdlab trace --pid on the running server; waits until it has attached.
trace_pid() {
	local i
	TRACE_DIR=$TMP/trace.$RANDOM
	"$HERDLAB" trace --pid $SERVER_PID --out "$TRACE_DIR" >"$TRACE_DIR.out" 2>"$TRACE_DIR.err" &
	TRACE_PID=$!
	for i in $(seq 100); do
		grep -q 'attached' "$TRACE_DIR.err" 2>/dev/null && return 0
		kill -0 $TRACE_PID 2>/dev/null || break
		sleep 0.05
	done
	sleep 1 # an older herdlab says nothing when attached
}
trace_end() {
	kill -INT $TRACE_PID
	wait $TRACE_PID
	TRACE_PID=
}

# load PORT [CLIENTS]: N requests, one connection each; passes only if all succeeded.
load() {
	"$HERDLOAD" --url "http://127.0.0.1:$1/1k" --requests $N --clients "${2:-4}" \
		--json "$TMP/load.json" >"$TMP/load.out" 2>&1 &&
		[ "$("$JSONGET" "$TMP/load.json" requests.ok)" = "$N" ] ||
		{ grep -E 'requests|errors' "$TMP/load.out" | sed 's/^/#   /'; return 1; }
}

# Per-worker accepts from the trace ("PID COUNT" lines, sorted) and from the access log.
traced_accepts() {
	local i=0 tgid acc
	while tgid=$(j accept.per_task.$i.tgid 2>/dev/null) && [ -n "$tgid" ]; do
		acc=$(j accept.per_task.$i.accepted)
		[ "$acc" -gt 0 ] && echo "$tgid $acc"
		i=$((i + 1))
	done | awk '{ n[$1] += $2 } END { for (p in n) print p, n[p] }' | sort
}
logged_accepts() { awk '{ n[$1]++ } END { for (p in n) print p, n[p] }' "$ACCESS_LOG" | sort; }

# same_accepts WHAT: herdlab's per-worker accepts are the access log's, worker for worker.
same_accepts() {
	local ours theirs
	ours=$(traced_accepts | tr '\n' ' ')
	theirs=$(logged_accepts | tr '\n' ' ')
	if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then
		pass "$1: per-worker accepts equal the access log's, exactly ($(echo $ours | wc -w) fields)"
	else
		fail "$1: per-worker accepts equal the access log's" "herdlab: $ours| log: $theirs"
	fi
}

within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }

# ---- the wakers' stacks: an independent count of wakeups -------------------------------------
# bpftrace keeps the waker's kernel stack of every sched_waking of the server's tasks.
# A stack holding tcp_child_process is the listener woken for a new connection,
# whatever the sleeper waits in: herdlab's arrival wakeups (all but those on a lock
# or the descriptor-passing socket, which another task causes) must be that number.
# A stack holding a lock's release (a futex wake, a file lock's waiters, a semaphore
# operation) is a lock wakeup.
# bpftrace says "Attaching" before it has attached: it counts from the moment a
# marker process's wakeup (a stop and a continue) reaches its second probe.
bt_start() {
	local pids=$1 cond="" p i mark
	for p in $pids; do cond="$cond${cond:+ || }args->pid == $p"; done
	sleep 600 &
	mark=$!
	cat >"$TMP/wakers.bt" <<-EOF
		tracepoint:sched:sched_waking /$cond/ { @[kstack] = count(); }
		tracepoint:sched:sched_waking /args->pid == $mark/ { printf("ready\n"); }
	EOF
	bpftrace "$TMP/wakers.bt" >"$TMP/wakers.out" 2>"$TMP/wakers.err" &
	BT_PID=$!
	for i in $(seq 400); do
		kill -STOP $mark
		kill -CONT $mark
		grep -q '^ready' "$TMP/wakers.out" 2>/dev/null && break
		kill -0 $BT_PID 2>/dev/null || break
		sleep 0.05
	done
	kill $mark
	wait $mark 2>/dev/null
	grep -q '^ready' "$TMP/wakers.out" || fail "bpftrace attached" "$(tail -3 "$TMP/wakers.err")"
}
# A background job ignores SIGINT; bpftrace prints its maps on SIGTERM. Once it let a
# SIGTERM pass and waited on: it is asked again every 2 s, and killed after 10.
bt_stop() {
	local i
	kill -TERM $BT_PID
	for i in $(seq 100); do
		kill -0 $BT_PID 2>/dev/null || break
		[ $((i % 20)) -eq 0 ] && kill -TERM $BT_PID
		sleep 0.1
	done
	kill -KILL $BT_PID 2>/dev/null
	wait $BT_PID
	BT_PID=
}
# bt_count REGEX: the wakeups whose waker's stack has a frame matching REGEX.
bt_count() {
	# Each map entry is a stack (lines) followed by ']: COUNT'.
	awk -v re="$1" '/^@\[/ { hit = 0 } $0 ~ re { hit = 1 } /^\]: / { if (hit) n += $2 }
	     END { print n + 0 }' "$TMP/wakers.out"
}
bt_arrivals() { bt_count tcp_child_process; }

# ---- apache2 ---------------------------------------------------------------------------------
if apache_start 1 none 0; then
	trace_pid
	load $PORT1 || fail "apache2, one Listen: $N requests served"
	sleep 0.3
	trace_end
	is "$(j accept.accepted)" $N "apache2, one Listen: $N accepted"
	same_accepts "apache2, one Listen"
	is "$(j accept.wakeups_by_wait.lock)/$(j accept.wakeups_by_wait.poll)" 0/0 \
		"apache2, one Listen: no lock wakeups, and the lingering-close polls are not arrivals"
	ok "within $(j accept.wakeups_per_accept) 0 1.1" \
		"apache2, one Listen: blocking accept wakes at most one worker per connection ($(j accept.wakeups_per_accept))"
fi
stop_all

# The lock wakeups against the wakers' stacks: every wakeup of a worker by a lock's
# release (a futex wake, a file lock's waiters woken, a semaphore operation).
LOCK_WAKERS='futex_wake|futex_unlock|__locks_wake_up_blocks|do_semtimedop|semtimedop|__x64_sys_semop'
for mutex in pthread fcntl flock sysvsem; do
	apache_start 2 $mutex 0 || { fail "apache2 starts with Mutex $mutex"; stop_all; continue; }
	sleep 0.5 # the children settle into the lock before the two counts begin
	bt_start "$SERVER_PID $(descendants $SERVER_PID)"
	trace_pid
	load $PORT1 || fail "apache2, Mutex $mutex: $N requests served"
	sleep 0.3
	trace_end
	bt_stop
	is "$(j accept.accepted)" $N "apache2, Mutex $mutex: $N accepted"
	same_accepts "apache2, Mutex $mutex"
	lock=$(j accept.wakeups_by_wait.lock)
	theirs=$(bt_count "$LOCK_WAKERS")
	ok "[ ${lock:-0} -gt 0 ] && [ ${lock:-0} = $theirs ]" \
		"apache2, Mutex $mutex: lock wakeups: herdlab ${lock:-?}, the wakers' stacks $theirs"
	stop_all
done

# Children that serve 50 connections each and are replaced, while traced.
if apache_start 2 sysvsem 50; then
	trace_pid
	load $PORT1 || fail "apache2, MaxConnectionsPerChild 50: $N requests served"
	sleep 0.5
	trace_end
	is "$(j accept.accepted)" $N "apache2, respawning children: $N accepted"
	same_accepts "apache2, respawning children"
	ok "[ $(logged_accepts | wc -l) -gt 8 ]" \
		"apache2, respawning children: more workers than the pool ($(logged_accepts | wc -l))"
fi
stop_all

# ---- nginx -----------------------------------------------------------------------------------
for mode in off on reuseport; do
	nginx_start $mode || { fail "nginx starts ($mode)"; stop_all; continue; }
	trace_pid
	load $PORT1 8 || fail "nginx $mode: $N requests served"
	sleep 0.3
	trace_end
	is "$(j accept.accepted)" $N "nginx, accept_mutex $mode: $N accepted"
	same_accepts "nginx, accept_mutex $mode"
	stop_all
done

arrival_wakeups() {
	local k total=0 v
	for k in accept epoll select poll signal uring; do
		v=$(j accept.wakeups_by_wait.$k 2>/dev/null)
		total=$((total + ${v:-0}))
	done
	echo $total
}

verify_wakers() {
	local what=$1 port=$2 ours theirs
	bt_start "$SERVER_PID $(descendants $SERVER_PID)"
	trace_pid
	"$HERDLOAD" --url "http://127.0.0.1:$port/${3:-1k}" --requests $N --clients 1 >/dev/null 2>&1 ||
		fail "$what: $N sequential requests"
	sleep 0.3
	trace_end
	bt_stop
	theirs=$(bt_arrivals)
	ours=$(arrival_wakeups)
	ok "[ $theirs -gt 0 ] && [ $ours = $theirs ]" \
		"$what: arrival wakeups: herdlab $ours, the wakers' stacks $theirs"
}

# ---- arrival wakeups against the wakers' stacks ------------------------------------------------
for m in prefork prefork-epoll; do
	if srv_start $m --workers 8 --quiet && srv_wait_children 8; then
		SERVER_PID=$SRV_PID
		verify_wakers "$m" $SRV_PORT size/1K
		SERVER_PID=
		srv_stop || fail "$m stops cleanly"
	fi
done
if apache_start 1 none 0; then
	verify_wakers "apache2" $PORT1
fi
stop_all

# ---- perf still sees what herdlab traces ------------------------------------------------------
# A BPF program on a classic tracepoint that returned 0 would drop the event for
# every other consumer of it: perf must count the same accepts with herdlab attached.
if srv_start prefork --workers 4 --quiet && srv_wait_children 4; then
	SERVER_PID=$SRV_PID
	trace_pid
	pids=$(echo $SRV_PID $(descendants $SRV_PID) | tr ' ' ',')
	# Counted in 200 ms intervals: the first line says perf's counters are on (its
	# start takes a while on a busy machine), and the intervals add up to the whole.
	perf stat -I 200 -e syscalls:sys_exit_accept4 -x, -o "$TMP/perf.txt" -p "$pids" \
		>/dev/null 2>&1 &
	perf_pid=$!
	for i in $(seq 200); do grep -q sys_exit_accept4 "$TMP/perf.txt" 2>/dev/null && break; sleep 0.05; done
	"$HERDLOAD" --port $SRV_PORT --path /size/1K --requests $N --clients 2 >/dev/null 2>&1
	sleep 0.5
	kill -INT $perf_pid
	wait $perf_pid
	trace_end
	SERVER_PID=
	exits=$(awk -F, '/sys_exit_accept4/ && $2 ~ /^[0-9]+$/ { n += $2 } END { print n + 0 }' "$TMP/perf.txt")
	is "${exits:-0}" $N "perf counts every sys_exit_accept4 beside herdlab"
	is "$(j accept.accepted)" $N "and herdlab counted its $N"
	srv_stop || fail "prefork stops cleanly"
fi
