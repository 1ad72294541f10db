#!/usr/bin/env bash
# test_process.sh - process hygiene per model: zombies under each fork reap
# policy, pools that replace a killed worker, a stopped lock holder, running
# out of descriptors (also with threads sharing one spare), and --grace with
# prethread-queue's queue full.
source "$(dirname "$0")/lib.sh"

# CPU ticks (utime + stime) of the server and its children so far.
srv_ticks() {
	local t=0 p
	for p in $SRV_PID $(ps -o pid= --ppid "$SRV_PID"); do
		t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0)))
	done
	echo $t
}

# Sequential requests, so that every child has finished before we look.
serial_requests() { ab -q -n "$1" -c 1 "$URL/size/1K" 2>&1 | grep -q '^Failed requests: *0'; }

# ---- fork: the three reap policies ------------------------------------------
N=300
srv_start fork --reap none || fail "fork --reap none starts"
serial_requests $N
sleep 0.3
z=$(srv_zombies)
ok "[ $z -ge $((N * 9 / 10)) ]" "fork --reap none: zombies pile up while it runs ($z of $N)"
ok "srv_stop" "fork --reap none: shutdown reaps every zombie and leaves nothing behind"

for policy in sigchld ignore; do
	srv_start fork --reap $policy || fail "fork --reap $policy starts"
	serial_requests $N
	sleep 0.3
	is "$(srv_zombies)" 0 "fork --reap $policy: no zombie after $N connections"
	ok "srv_stop" "fork --reap $policy: clean shutdown"
done

# Shutdown waits for a child that is still serving, within --grace.
srv_start fork --grace 5 || fail "fork starts"
curl -s -o "$TMP/slow.out" "$URL/sleep/800" &
curl_pid=$!
sleep 0.3
ok "srv_stop" "fork: SIGTERM while a child serves /sleep/800: clean exit"
wait $curl_pid
is "$(cat "$TMP/slow.out")" "slept 800 ms" "fork: the in-flight request completed during the grace period"

# ---- every pool replaces a worker killed with SIGKILL -------------------------
for m in prefork prefork-mutex prefork-flock prefork-passfd prefork-epoll \
	prefork-epoll-exclusive prefork-reuseport prefork-dynamic; do
	srv_start $m --workers 4 || { fail "$m starts"; continue; }
	srv_wait_children 4 || fail "$m: 4 workers"
	before=$(srv_children)
	victim=$(ps -o pid= --ppid "$SRV_PID" | head -1 | tr -d ' ')
	kill -KILL "$victim"
	for i in $(seq 40); do
		now=$(ps -o pid= --ppid "$SRV_PID" | tr -d ' ' | grep -vx "$victim" | wc -l)
		[ "$now" -ge "$before" ] && break
		sleep 0.05
	done
	ok "[ $now -ge $before ] && ! ps -o pid= --ppid $SRV_PID | grep -qx ' *$victim'" \
		"$m: a worker killed with SIGKILL is replaced ($before workers, $now after)"
	out=$(ab -q -n 503 -c 8 "$URL/size/1K" 2>&1)
	ok "echo '$out' | grep -q '^Failed requests: *0'" "$m: and the pool serves 503 requests after it"
	ok "srv_stop" "$m: clean shutdown"
done

# ---- out of descriptors: shed, keep serving, no busy loop --------------------
# (Models that hold one connection per worker never run out: their clients wait
# in the accept queue instead.)
for m in epoll thread; do
	srv_start $m --workers 2 || { fail "$m starts"; continue; }
	prlimit --pid "$SRV_PID" --nofile=48:48 2>/dev/null
	for c in $(ps -o pid= --ppid "$SRV_PID"); do prlimit --pid "$c" --nofile=48:48; done
	"$HOLDCONNS" "$SRV_PORT" 120 1.5 >"$TMP/hold.out" &
	hold=$!
	sleep 0.5
	t0=$(awk '{print $14 + $15}' /proc/$SRV_PID/stat)
	for c in $(ps -o pid= --ppid "$SRV_PID"); do t0=$((t0 + $(awk '{print $14 + $15}' /proc/$c/stat))); done
	sleep 0.5
	t1=$(awk '{print $14 + $15}' /proc/$SRV_PID/stat)
	for c in $(ps -o pid= --ppid "$SRV_PID"); do t1=$((t1 + $(awk '{print $14 + $15}' /proc/$c/stat))); done
	wait $hold
	ok "[ $((t1 - t0)) -le 10 ]" "$m: out of descriptors, no busy loop ($((t1 - t0)) ticks of CPU in 0.5 s)"
	ok "grep -q 'shedding connections' $SRV_LOG.err" "$m: says it is shedding connections"
	is "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL/size/10K")" 200 "$m: serves again once descriptors are free"
	ok "srv_stop" "$m: clean shutdown"
done

# ---- threads sharing one spare descriptor ------------------------------------
# Eight threads accept on one listener, and the descriptor the spare frees while
# shedding is free for all of them: the shed must still get it every time, or
# the spare is lost and every thread spins on the readable listener.
for ex in "" --exclusive; do
	name="epoll-threads${ex:+ $ex}"
	srv_start epoll-threads --workers 8 $ex || { fail "$name starts"; continue; }
	prlimit --pid "$SRV_PID" --nofile=256:256
	"$HOLDCONNS" "$SRV_PORT" 1000 7 >"$TMP/hold.out" &
	hold=$!
	sleep 1.5
	t0=$(srv_ticks)
	sleep 4
	t1=$(srv_ticks)
	wait $hold
	closed=$(sed -n 's/.*closed_by_server \([0-9]*\).*/\1/p' "$TMP/hold.out")
	ok "[ $((t1 - t0)) -le 20 ]" \
		"$name: 1000 idle connections at 256 descriptors: idle ($((t1 - t0)) ticks in 4 s)"
	ok "[ ${closed:-0} -ge 744 ]" \
		"$name: every connection beyond its 256 descriptors is shed (${closed:-?} of 1000)"
	ok "srv_stop" "$name: clean shutdown"
done

# ---- a stopped lock holder stalls a locked pool, until it is killed ----------
# The child holding the lock sleeps in accept; with it stopped (SIGSTOP) nobody
# takes a connection. Killed, its lock passes on: the robust mutex's EOWNERDEAD,
# or the record lock released at exit, and the pool replaces it.
for m in prefork-mutex prefork-flock; do
	srv_start $m --workers 4 || { fail "$m starts"; continue; }
	srv_wait_children 4 || fail "$m: 4 workers"
	holder=
	for i in $(seq 40); do
		for c in $(ps -o pid= --ppid "$SRV_PID"); do
			grep -q accept /proc/$c/wchan 2>/dev/null && holder=$c
		done
		[ -n "$holder" ] && break
		sleep 0.05
	done
	if [ -z "$holder" ]; then
		skip "$m: a stopped lock holder" "no child shows accept in /proc/PID/wchan"
		srv_stop
		continue
	fi
	kill -STOP "$holder"
	is "$(curl -s -m 1 -o /dev/null -w '%{http_code}' "$URL/size/1K")" 000 \
		"$m: with the lock holder stopped (SIGSTOP), no connection is taken"
	kill -KILL "$holder"
	is "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL/size/1K")" 200 \
		"$m: the stopped holder killed, the lock passes on and the pool serves again"
	out=$(ab -q -n 307 -c 8 "$URL/size/1K" 2>&1)
	ok "echo '$out' | grep -q '^Failed requests: *0'" "$m: and serves 307 requests after it"
	ok "srv_stop" "$m: clean shutdown"
done

# ---- prethread-queue: --grace holds with every queue slot taken ------------
# Two workers, a queue of 8: with 12 slow requests the acceptor waits for room
# with a connection in hand. SIGTERM must still end the server within --grace.
srv_start prethread-queue --workers 2 --grace 1 || fail "prethread-queue starts"
CURLS=()
for i in $(seq 12); do
	curl -s -o /dev/null -m 30 "$URL/sleep/20000" &
	CURLS+=($!)
done
sleep 1
t0=$(date +%s%N)
ok "srv_stop 3" "prethread-queue: SIGTERM with its queue full and --grace 1: clean exit within 3 s"
elapsed=$((($(date +%s%N) - t0) / 1000000))
ok "[ $elapsed -lt 3000 ]" "prethread-queue: stopped in $elapsed ms"
kill "${CURLS[@]}" 2>/dev/null
wait "${CURLS[@]}" 2>/dev/null

# ---- select: a descriptor at or beyond FD_SETSIZE is refused, not corrupted --
srv_start select || fail "select starts"
"$HOLDCONNS" "$SRV_PORT" 1100 1.5 >"$TMP/hold.out"
closed=$(sed -n 's/.*closed_by_server \([0-9]*\).*/\1/p' "$TMP/hold.out")
ok "[ ${closed:-0} -ge 50 ] && [ ${closed:-0} -le 100 ]" \
	"select: 1100 connections held: those past FD_SETSIZE are closed (${closed:-?})"
ok "grep -q 'FD_SETSIZE' $SRV_LOG.err" "select: says why it refused them"
is "$(curl -s -m 5 "$URL/size/10K" | md5sum | cut -d' ' -f1)" "$(pattern_md5 10240)" \
	"select: serves normally once they are gone"
ok "srv_stop" "select: clean shutdown"
