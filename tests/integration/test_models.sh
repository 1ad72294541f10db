#!/usr/bin/env bash
# test_models.sh - one fixture over every server model (herdsrv --list):
# the protocol through curl, 2003 requests through ab (a client nobody here
# wrote), bad and silent clients, a clean shutdown, and --stats totals.
source "$(dirname "$0")/lib.sh"

DOCROOT=$TMP/docroot
mkdir -p "$DOCROOT/sub"
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

for m in $(all_models); do
	check_model "$m"
done
