#!/usr/bin/env bash
# test_dynamic.sh - prefork-dynamic (seed 001): the pool grows under load,
# shrinks back to --max-idle, never passes --max-children, and recycles a child
# after --max-requests.
source "$(dirname "$0")/lib.sh"

children() { ps -o pid= --ppid "$SRV_PID" | tr -d ' ' | sort; }
count() { children | wc -l; }

# wait_for "CONDITION ON \$n" SECONDS: poll the child count until it holds.
wait_for() {
	local i
	for i in $(seq $(($2 * 20))); do
		n=$(count)
		eval "$1" && return 0
		sleep 0.05
	done
	return 1
}

# N concurrent slow requests in the background; their status codes land in $TMP/codes.
slow_burst() {
	local i
	: >"$TMP/codes"
	CURLS=()
	for i in $(seq "$1"); do
		curl -s -o /dev/null -w '%{http_code}\n' -m 10 "$URL/sleep/$2" >>"$TMP/codes" &
		CURLS+=($!)
	done
}

srv_start prefork-dynamic --min-idle 2 --max-idle 4 --max-children 64 --workers 4 ||
	fail "prefork-dynamic starts"
is "$(count)" 4 "prefork-dynamic: starts with --workers 4 children"

slow_burst 50 2000
wait_for '[ $n -ge 50 ]' 3
peak=$n
ok "[ $peak -ge 50 ] && [ $peak -le 64 ]" "grows under 50 concurrent slow requests (to $peak children)"
wait "${CURLS[@]}"
is "$(grep -c '^200$' "$TMP/codes")" 50 "every slow request is answered 200"
wait_for '[ $n -le 4 ]' 4
ok "[ $n -ge 2 ] && [ $n -le 4 ]" "shrinks back to --max-idle idle children afterwards ($n)"
ok "srv_stop" "clean shutdown after growing and shrinking"

srv_start prefork-dynamic --min-idle 2 --max-idle 4 --max-children 20 --workers 4 ||
	fail "prefork-dynamic starts"
slow_burst 50 1500
sleep 0.8
peak=$(count)
ok "[ $peak -le 20 ] && [ $peak -ge 15 ]" "never more than --max-children 20 ($peak)"
wait "${CURLS[@]}"
is "$(grep -c '^200$' "$TMP/codes")" 50 "the requests beyond the cap wait in the queue and are served"
ok "srv_stop" "clean shutdown"

srv_start prefork-dynamic --min-idle 2 --max-idle 4 --max-requests 10 --workers 4 ||
	fail "prefork-dynamic starts"
before=$(children)
out=$(ab -q -n 100 -c 1 "$URL/size/1K" 2>&1)
ok "echo '$out' | grep -q '^Failed requests: *0'" "--max-requests 10: 100 requests, 0 failed"
wait_for '[ $n -ge 2 ]' 2
after=$(children)
kept=$(comm -12 <(echo "$before") <(echo "$after") | wc -l)
is "$kept" 0 "children are recycled after --max-requests (no pid survives 100 requests)"
ok "srv_stop" "clean shutdown"
