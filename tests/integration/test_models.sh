#!/usr/bin/env bash
# test_models.sh - one fixture over every server model (herdsrv --list):
# the protocol through curl, 2003 requests through ab (a client nobody here
# wrote), bad and silent clients, a FIFO in the docroot, a clean shutdown, and
# --stats totals, also for a connection cut at the --grace deadline; then
# --stats into a device, a FIFO and places it cannot be written.
source "$(dirname "$0")/lib.sh"

DOCROOT=$TMP/docroot
mkdir -p "$DOCROOT/sub"
mkfifo "$DOCROOT/fifo" # opening it for reading blocks until a writer comes
printf 'hello from the docroot\n' >"$DOCROOT/hello.txt"
head -c 100000 /dev/urandom >"$DOCROOT/sub/random.bin"
RANDOM_MD5=$(md5sum <"$DOCROOT/sub/random.bin" | cut -d' ' -f1)
MD5_10K=$(pattern_md5 10240)
MD5_1M=$(pattern_md5 1048576)

md5_of() { curl -s -m "${2:-10}" "$1" | md5sum | cut -d' ' -f1; }

check_model() {
	local m=$1 sent=0 out status t0 elapsed
	if ! srv_start "$m" --docroot "$DOCROOT" --stats "$TMP/$m.csv" --workers 4 \
		--read-timeout 2 --grace 3; then
		fail "$m: starts and announces its port"
		return
	fi
	pass "$m: starts and announces its port"

	# A client that connects and sends nothing.
	exec 7<>/dev/tcp/127.0.0.1/"$SRV_PORT"
	sleep 0.1
	if [ "$m" = iterative ]; then
		# Blocking by nature: the next client waits for the silent one's timeout.
		t0=$(date +%s%N)
		out=$(md5_of "$URL/size/10K" 8)
		elapsed=$((($(date +%s%N) - t0) / 1000000))
		ok "[ '$out' = '$MD5_10K' ] && [ $elapsed -ge 1500 ]" \
			"$m: the next client is served once the silent one times out (${elapsed} ms)"
	else
		is "$(md5_of "$URL/size/10K" 1.5)" "$MD5_10K" \
			"$m: GET /size/10K while a silent client is connected"
	fi
	sent=$((sent + 1))

	is "$(md5_of "$URL/size/1M")" "$MD5_1M" "$m: GET /size/1M, content verified"
	is "$(curl -s "$URL/files/hello.txt")" "hello from the docroot" "$m: GET /files/NAME"
	is "$(md5_of "$URL/files/sub/random.bin")" "$RANDOM_MD5" "$m: GET /files/sub/NAME (100 kB)"
	is "$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$URL/files/fifo")" 403 \
		"$m: GET /files/FIFO is 403 at once (not a regular file; never opened blocking)"
	is "$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$URL/files/missing")" 404 \
		"$m: GET /files/MISSING is 404"
	sent=$((sent + 2))
	is "$(curl -s --data-binary 'echo me, please' "$URL/echo")" "echo me, please" "$m: POST /echo"
	is "$(curl -s "$URL/cpu/1000")" "burned 1000 us" "$m: GET /cpu/1000"
	sent=$((sent + 5))

	out=$(ab -q -n 2003 -c 16 "$URL/size/1K" 2>&1)
	ok "echo '$out' | grep -q '^Complete requests: *2003' && echo '$out' | grep -q '^Failed requests: *0'" \
		"$m: ab -n 2003 -c 16 completes with 0 failed"
	sent=$((sent + 2003))

	is "$(raw_status 'BAD REQUEST\r\n\r\n')" "HTTP/1.1 400 Bad Request" "$m: a malformed request gets 400"
	is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/")" "200" "$m: and the next client is served"
	sent=$((sent + 2))

	status=$(timeout 5 head -n1 <&7 | tr -d '\r')
	exec 7<&-
	is "$status" "HTTP/1.1 408 Request Timeout" "$m: the silent client gets 408 after --read-timeout"
	sent=$((sent + 1))

	if srv_stop 15; then
		pass "$m: SIGTERM: exit 0, the whole process tree gone, no zombie"
	else
		fail "$m: SIGTERM: exit 0, the whole process tree gone, no zombie"
	fi
	is "$(stats_requests "$TMP/$m.csv")" "$sent" "$m: --stats CSV counts every request ($sent)"
}

# Requests answered on a connection that is still open at the --grace deadline
# (its last request sleeps far beyond it): --stats must count every response the
# client received, although the connection never ends normally (a pool's worker
# is killed, a thread is left to exit()).
check_cut_stats() {
	local m=$1 args=() i got counted
	if ! srv_start "$m" --stats "$TMP/$m.cut.csv" --workers 4 --grace 1; then
		fail "$m: starts for the cut-connection test"
		return
	fi
	for i in $(seq 23); do args+=(-o /dev/null "$URL/size/1K"); done
	args+=(-o /dev/null "$URL/sleep/10000")
	curl -s -m 15 -w '%{http_code}\n' "${args[@]}" >"$TMP/$m.cut.codes" &
	local client=$!
	sleep 1.5 # 23 small requests on one keep-alive connection are long answered
	ok "srv_stop 6" "$m: SIGTERM with a request in flight, --grace 1: clean exit"
	wait $client
	got=$(grep -c '^200$' "$TMP/$m.cut.codes")
	counted=$(stats_requests "$TMP/$m.cut.csv")
	ok "[ $got -eq 23 ] && [ '$counted' = $got ]" \
		"$m: --stats counts the $got responses of a connection cut at the deadline ($counted)"
}

for m in $(all_models); do
	check_model "$m"
	check_cut_stats "$m"
done

# ---- --stats FILE: devices and FIFOs written into, bad paths refused at once --
# Root could replace the machine's /dev/full and /dev/null should this regress:
# it gets copies of them made here; anyone else, who cannot, the real ones.
FULL=/dev/full NULL=/dev/null
if [ "$(id -u)" -eq 0 ]; then
	FULL=$TMP/full NULL=$TMP/null
	mknod "$FULL" c 1 7 && mknod "$NULL" c 1 3 && : >"$NULL" 2>/dev/null || FULL=
fi
if [ -z "$FULL" ]; then
	skip "--stats into a device" "no usable device node in $TMP (mounted nodev?)"
elif srv_start epoll --stats "$FULL"; then
	kill -TERM "$SRV_PID"
	wait "$SRV_PID"
	rc=$?
	SRV_PID=
	ok "[ $rc -ne 0 ] && grep -q \"cannot write --stats '$FULL': No space\" $SRV_LOG.err" \
		"--stats FULL (/dev/full): the write error is reported and the exit status is not 0"
	ok "[ -c '$FULL' ]" "--stats FULL (/dev/full): it is still a character device"
	if srv_start epoll --stats "$NULL"; then
		ok "srv_stop" "--stats NULL (/dev/null): clean exit"
		ok "[ -c '$NULL' ]" "--stats NULL (/dev/null): it is still a character device"
	else
		fail "epoll --stats NULL starts"
	fi
else
	fail "epoll --stats FULL starts"
fi
mkfifo "$TMP/stats.fifo"
if srv_start epoll --stats "$TMP/stats.fifo"; then
	timeout 20 cat "$TMP/stats.fifo" >"$TMP/stats.fifo.out" &
	reader=$!
	curl -s -o /dev/null "$URL/size/1K"
	ok "srv_stop" "--stats FIFO: clean exit"
	wait $reader
	ok "[ -p '$TMP/stats.fifo' ] && [ \"\$(stats_requests '$TMP/stats.fifo.out')\" = 1 ]" \
		"--stats FIFO: the CSV went through the FIFO, which is still a FIFO"
else
	fail "epoll --stats FIFO starts"
fi
for bad in "$TMP" /proc/version "$TMP/missing/stats.csv"; do
	out=$(timeout 5 "$HERDSRV" --model epoll --port 0 --stats "$bad" 2>&1 </dev/null)
	rc=$?
	ok "[ $rc -eq 1 ] && ! echo '$out' | grep -q '^listening' && echo '$out' | grep -q 'cannot write --stats'" \
		"--stats $bad: refused before the server starts (exit $rc)"
done
