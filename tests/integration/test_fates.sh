#!/usr/bin/env bash
# test_fates.sh - the fates of connections, on known answers: a burst of 101
# clients at once against an iterative server with --backlog 5, slow to accept
# (/sleep/200), and a connect timeout of 2.5 s: every connect_timeout is joined
# to its dropped SYNs; herdload against a port nothing listens on (traced with
# herdlab trace --port): every one of 101 refused connections has a reset sent
# and a SYN dropped with nothing listening. Only our own clients are counted
# (by their ports, from requests.csv).
# Needs root and BPF: skips with the reason otherwise (and fails under CI=true).
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/common.sh"
N=101

require_tracer "the fates of connections"


# ---- a burst against a full accept queue ---------------------------------------------------
R=$TMP/burst
"$HERDLAB" run --model iterative --backlog 5 --clients $N --requests $N --path /sleep/200 \
	--connect-timeout 2.5 --timeout 60 --out "$R" >"$R.out" 2>&1 ||
	fail "herdlab run: the burst" "$(tail -2 "$R.out")"
j() { "$JSONGET" "$R/run.json" "$1"; }
ok "[ -s '$R/fates.csv' ]" "the run directory holds fates.csv"
# Which failures the burst makes depends on the machine's timing (a SYN sent again may
# find the queue full, or not): connect_timeout mostly, timeout for the last served.
failed=$(j join.failed)
ok "[ '${failed:-0}' -gt 0 ]" "the burst makes failed requests ($failed; connect_timeout: $(j client.errors.connect_timeout))"
is "$(j join.failed_matched)" "$failed" "every failed request is joined to its fate"
# each failed request's port has SYNs dropped in fates.csv (our own ports only)
bad=$(awk -F, 'NR == FNR { if (FNR == 1) { for (i = 1; i <= NF; i++) c[$i] = i; next }
		if ($c["error"] != "ok") want[$c["local_port"]] = 1; next }
	FNR == 1 { for (i = 1; i <= NF; i++) f[$i] = i; next }
	($f["client_port"] in want) && $f["syn_drops"] + $f["synack_retransmits"] > 0 { delete want[$f["client_port"]] }
	END { n = 0; for (p in want) n++; print n }' "$R/requests.csv" "$R/fates.csv")
is "$bad" 0 "every failed request's port has dropped SYNs or SYN-ACKs sent again in fates.csv"
is "$(j join.failed_unmatched)" 0 "no failed request is left without its fate"
ok "[ \"\$(j trace.fates.syn_drops)\" -gt 0 ]" "trace.fates.syn_drops counts them ($(j trace.fates.syn_drops))"
"$HERDLAB" report "$R" >"$TMP/r.txt" 2>&1
ok "grep -qx 'Fates of connections' '$TMP/r.txt'" "the report has its section"
ok "grep -Eq '^(connect_timeout|timeout): [0-9]+ requests, [0-9]+ joined' '$TMP/r.txt' &&
	grep -Eq '(SYNs?|SYN-ACKs?) sent again' '$TMP/r.txt'" "and says a failure's fate in a sentence"

# ---- a port nothing listens on ---------------------------------------------------------------
Q=$(free_port)
C=$TMP/closed
mkdir -p "$C"
"$HERDLAB" trace --port "$Q" --out "$C/trace" -- "$HERDLOAD" --port "$Q" --requests $N \
	--clients 1 --csv "$C/requests.csv" --quiet >"$C.out" 2>&1 ||
	fail "herdlab trace: herdload against a closed port" "$(tail -2 "$C.out")"
refused=$(awk -F, 'NR > 1 && $11 == "refused"' "$C/requests.csv" | wc -l)
is "$refused" $N "herdload: $N refused"
reset=$(awk -F, 'NR == FNR { if (FNR > 1 && $11 == "refused") want[$7] = 1; next }
	FNR == 1 { for (i = 1; i <= NF; i++) f[$i] = i; next }
	($f["client_port"] in want) && $f["resets_sent"] >= 1 && $f["no_socket_drops"] >= 1 { n++ }
	END { print n + 0 }' "$C/requests.csv" "$C/trace/fates.csv")
is "$reset" $N "every refused connection has a reset sent and its SYN dropped (NO_SOCKET)"
is "$("$JSONGET" "$C/trace/trace.json" fates.resets_sent)" $N "trace.fates.resets_sent is $N"

