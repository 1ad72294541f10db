#!/usr/bin/env bash
# test_report.sh - herdlab report and compare on real runs: every format renders
# and says what run.json says; an old run directory (join.server_us) reports and
# compares as before; the HTML report loads in headless Chromium with every
# figure present and something drawn; compare marks the best and gives
# ratios; --repeat gives mean and spread; bad input fails cleanly. And the
# faults: a run that did not finish said on every format's first line and in
# compare's row; a full disk (a small tmpfs) fails naming the file and leaves
# nothing half written; corrupt tables (a timestamp ending in '-', short rows)
# are rejected, counted and make a partial report; a FIFO as run.json or a
# table is refused at once; the figures carry their values, reference lines and
# labels; compare --findings says in words what the numbers show, in 100 columns.
# Needs root and BPF (the runs are traced): skips otherwise, fails under CI=true.
source "$(dirname "$0")/lib.sh"
PNGSTAT=$ROOT/$BUILD/tests/tools/pngstat
N=1009

require_tracer "herdlab report"

run() { # run DIR MODEL [options]: a traced run of N requests by 2 clients
	local dir=$1 model=$2
	shift 2
	"$HERDLAB" run --model "$model" --workers 4 --clients 2 --requests $N --path /size/1K \
		--out "$dir" "$@" >"$dir.out" 2>&1
}
R1=$TMP/epoll R2=$TMP/exclusive
run "$R1" prefork-epoll || fail "prefork-epoll: herdlab run" "$(tail -2 "$R1.out")"
run "$R2" prefork-epoll-exclusive || fail "prefork-epoll-exclusive: herdlab run" "$(tail -2 "$R2.out")"

# ---- what herdlab run leaves ---------------------------------------------------------------
for f in report.md report.html plots/latency-cdf.svg plots/wakeups-per-connection.svg \
	plots/accepts-per-worker.svg plots/runq-latency.svg; do
	ok "[ -s '$R1/$f' ]" "the run directory holds $f"
done
ok "! ls '$R1' '$R1/plots' | grep -q '\.tmp$'" "and no half-written file"

# ---- every format ----------------------------------------------------------------------------
"$HERDLAB" report "$R1" >"$TMP/r.txt" 2>"$TMP/r.err"
is "$?" 0 "report (text) succeeds"
for s in Summary "Accept wakeups" Scheduling Processes TCP "Latency decomposition" "The tracer"; do
	ok "grep -qx '$s' '$TMP/r.txt'" "text: section '$s'"
done
herd=$("$JSONGET" "$R1/run.json" trace.accept.wakeups_per_accept)
ok "grep -q 'herd factor (wakeups per accept) *$(printf %.2f "$herd")\$' '$TMP/r.txt'" \
	"text: the herd factor is run.json's ($(printf %.2f "$herd"))"
ok "grep -q \"^requests ok *$N\$\" '$TMP/r.txt'" "text: $N requests ok"

"$HERDLAB" report --format md --out "$R1/again.md" "$R1"
ok "grep -q '^## Latency decomposition' '$R1/again.md' && grep -q '^| handshake |' '$R1/again.md'" \
	"md: headings and tables"
ok "grep -q '](plots/latency-cdf.svg)' '$R1/again.md'" "md: figures linked beside it"

"$HERDLAB" report --format json --out "$TMP/r.json" "$R1"
jr() { "$JSONGET" "$TMP/r.json" "$1"; }
is "$(jr summary.requests.ok)/$(jr accept.accepted)" "$N/$N" "json: the client's and the kernel's counts"
ok "awk 'BEGIN { exit !($(jr join.matched) >= 0.99) }'" "json: join matched >= 99% ($(jr join.matched))"
slow=$(jr latency_decomposition.slowest.count)
is "$slow" "$(( ($(jr latency_decomposition.all.count) + 99) / 100 ))" "json: the slowest 1% is 1% ($slow requests)"
ok "awk 'BEGIN { t = $(jr latency_decomposition.slowest.total_us); s = $(jr latency_decomposition.slowest.handshake_us) + $(jr latency_decomposition.slowest.accept_queue_wait_us) + $(jr latency_decomposition.slowest.server_to_first_byte_us) + $(jr latency_decomposition.slowest.rest_us); d = t - s; exit !(d < 0.001 && d > -0.001 && t >= $(jr latency_decomposition.all.total_us)) }'" \
	"json: the parts add up to the total, and the slowest are slower than the mean"

# ---- an old run directory: run.json's join.server_us, before the two server times had names ----
OLD=$TMP/old-run
cp -r "$R1" "$OLD"
sed -i 's/"server_to_last_byte_us"/"server_us"/; /"server_to_first_byte_us"/,/}/d' "$OLD/run.json"
ok "$JSONGET '$OLD/run.json' join.server_us.count >/dev/null && ! $JSONGET '$OLD/run.json' join.server_to_first_byte_us >/dev/null" \
	"an old run.json made (join.server_us, no join.server_to_*)"
ok "cmp -s <('$HERDLAB' report --no-plots '$R1') <('$HERDLAB' report --no-plots '$OLD')" \
	"an old run directory reports as before"
ok "cmp -s <('$HERDLAB' compare '$R1' '$R2') <('$HERDLAB' compare '$OLD' '$R2')" \
	"and compares as before"

# ---- HTML, in a real browser -------------------------------------------------------------------
HTML=$R1/report.html
ok "head -1 '$HTML' | grep -q '<!DOCTYPE html>' && ! grep -q 'plot missing' '$HTML'" \
	"html: a page with no missing figure"
ok "! grep -Eq '(src|href)=\"' '$HTML'" "html: self-contained (no src= or href=)"
figs=$(grep -c '<figure>' "$HTML")
is "$figs" 4 "html: four figures inline (no zombies figure: only shutdown made zombies)"
ok "grep -q 'Every zombie came at shutdown' '$HTML' && [ ! -e '$R1/plots/zombies.svg' ]" \
	"html: says the zombies came at shutdown instead of drawing them"
if command -v chromium >/dev/null; then
	CHROME=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$TMP/chrome")
	timeout 60 "${CHROME[@]}" --dump-dom "file://$HTML" >"$TMP/dom.html" 2>/dev/null
	ok "grep -q 'Latency decomposition' '$TMP/dom.html'" "chromium: the page loads"
	svgs=$(grep -o '<svg' "$TMP/dom.html" | wc -l)
	ok "[ $svgs -eq $figs ] && [ $svgs -eq $(grep -o '<svg' "$HTML" | wc -l) ]" \
		"chromium: every plot is in the rendered page ($svgs)"
	timeout 60 "${CHROME[@]}" --window-size=1200,3000 --screenshot="$TMP/shot.png" "file://$HTML" \
		>/dev/null 2>&1
	read -r w h inked < <("$PNGSTAT" "$TMP/shot.png" 2>/dev/null || echo 0 0 0)
	ok "[ $w -eq 1200 ] && [ $inked -gt $((w * h / 50)) ]" \
		"chromium: the screenshot is not blank ($inked of $((w * h)) pixels drawn)"
else
	fail "chromium is installed (make deps)"
fi

# ---- compare ------------------------------------------------------------------------------------
"$HERDLAB" compare "$R1" "$R2" >"$TMP/c.txt"
is "$?" 0 "compare (text) succeeds"
ok "grep -q '^prefork-epoll ' '$TMP/c.txt' && grep -q '^prefork-epoll-exclusive ' '$TMP/c.txt'" \
	"compare: one row per run"
ok "grep -q '^prefork-epoll-exclusive .*[0-9] \*' '$TMP/c.txt'" "compare: the best values marked"
ok "grep -q '^prefork-epoll  *1.00x' '$TMP/c.txt'" "compare: ratios to the first run"
"$HERDLAB" compare --format json --out "$TMP/c.json" "$R1" "$R2"
h1=$("$JSONGET" "$TMP/c.json" runs | tr ',' '\n' | sed -n 's/.*"herd factor": *\([0-9.]*\).*/\1/p' | head -1)
ok "awk 'BEGIN { exit !($h1 > 2 * $("$JSONGET" "$R2/run.json" trace.accept.wakeups_per_accept)) }'" \
	"compare json: per-worker epoll's herd is larger than EPOLLEXCLUSIVE's"
"$HERDLAB" compare --format html --out "$TMP/cmp/c.html" "$R1" "$R2" 2>/dev/null
ok "[ ! -e '$TMP/cmp/c.html' ] && [ ! -e '$TMP/cmp/c.html.tmp' ]" \
	"compare into a missing directory: fails, leaves nothing"
mkdir -p "$TMP/cmp"
"$HERDLAB" compare --format html --out "$TMP/cmp/c.html" "$R1" "$R2"
ok "[ $(grep -c '<svg' "$TMP/cmp/c.html") -ge 4 ]" "compare html: grouped figures inline"
ok "grep -q '1: one task woken per connection' '$TMP/cmp/c.html' && grep -q '1: every worker accepted alike' '$TMP/cmp/c.html'" \
	"compare html: reference lines at herd factor 1 and fairness 1, said in the key"
if command -v chromium >/dev/null; then
	timeout 60 "${CHROME[@]}" --window-size=1200,3000 --screenshot="$TMP/cshot.png" "file://$TMP/cmp/c.html" \
		>/dev/null 2>&1
	read -r w h inked < <("$PNGSTAT" "$TMP/cshot.png" 2>/dev/null || echo 0 0 0)
	ok "[ $w -eq 1200 ] && [ $inked -gt $((w * h / 50)) ]" \
		"chromium: the comparison's screenshot is not blank ($inked of $((w * h)) pixels drawn)"
fi

# ---- --repeat -------------------------------------------------------------------------------------
"$HERDLAB" run --model prefork --workers 4 --clients 1 --requests 503 --repeat 3 \
	--out "$TMP/rep" >"$TMP/rep.out" 2>&1
is "$?" 0 "run --repeat 3 succeeds"
is "$(ls -d "$TMP"/rep/rep-* | wc -l)" 3 "--repeat 3: three run directories"
ok "grep -q '^| mean |' '$TMP/rep/summary.md' && grep -q '^| spread (sd) |' '$TMP/rep/summary.md'" \
	"--repeat: mean and spread in summary.md"
is "$("$JSONGET" "$TMP/rep/summary.json" "repeats.herd factor.n")" 3 "--repeat: summary.json's spread is over 3 runs"

# ---- untraced and bad input -----------------------------------------------------------------------
"$HERDLAB" run --model epoll --clients 1 --requests 101 --no-trace --out "$TMP/untraced" >/dev/null 2>&1
out=$("$HERDLAB" report "$TMP/untraced" 2>&1)
ok "[ $? -eq 0 ] && echo \"\$out\" | grep -q 'not traced'" "an untraced run reports the client's side, saying so"
out=$("$HERDLAB" report "$TMP/nonexistent" 2>&1)
ok "[ $? -eq 1 ] && echo '$out' | grep -q 'not a run directory'" "report on a missing run: exit 1, saying why"
mkdir -p "$TMP/broken" && echo '{"model": ' >"$TMP/broken/run.json"
out=$("$HERDLAB" report "$TMP/broken" 2>&1)
ok "[ $? -eq 1 ] && echo '$out' | grep -q 'run.json'" "report on a corrupt run.json: exit 1, naming it"
"$HERDLAB" report --format pdf "$R1" >/dev/null 2>&1
is "$?" 2 "an unknown format: exit 2"
"$HERDLAB" compare >/dev/null 2>&1
is "$?" 2 "compare without runs: exit 2"
out=$("$HERDLAB" compare "$R1" "$TMP/broken" 2>&1)
ok "[ $? -eq 1 ]" "compare with a broken run: exit 1"

# ---- the figures, as a reader sees them ------------------------------------------------------
W=$R1/plots/wakeups-per-connection.svg
ok "grep -q 'taken by a worker that was not asleep' '$W'" "wakeups figure: its x axis says what 0 is"
ok "! grep -q 'Tasks woken by each new connection' '$W'" "wakeups figure: no title repeating the caption"
ok "! grep -ho 'font-size=\"[0-9.]*\"' '$R1'/plots/*.svg | tr -dc '0-9.\n' | awk '\$1 < 12 { bad = 1 } END { exit !bad }'" \
	"figures: no font smaller than 12 px"
max=$(awk -F, 'NR > 1 { n[$8]++ } END { m = 0; for (k in n) if (n[k] > m) m = n[k]; print m }' "$R1/connections.csv")
ok "grep -q '>$max<' '$W' || grep -q '>$((max / 1000))k<' '$W'" "wakeups figure: the tallest bar carries its value ($max)"

# ---- a run that did not finish ----------------------------------------------------------------
INC=$TMP/incomplete
cp -r "$R1" "$INC"
sed -i '/^  "complete": /d; /^  "incomplete_reason": /d' "$INC/run.json" # herdlab run's own, if any
sed -i '0,/{/s//{ "complete": false, "incomplete_reason": "interrupted by SIGINT after 0.4 s",/' "$INC/run.json"
is "$("$JSONGET" "$INC/run.json" complete)" false "an incomplete run.json made"
first() { "$HERDLAB" report --no-plots "$@" "$INC" 2>/dev/null | sed -n 1p; }
ok "first | grep -q '(incomplete: interrupted by SIGINT after 0.4 s)'" "text: the first line says the run did not finish"
ok "first --format md | grep -q '^# .*(incomplete: interrupted by SIGINT'" "md: the first line says so"
# Into a file first: grep -q leaving early would break herdlab's pipe (and pipefail).
"$HERDLAB" report --format html --no-plots "$INC" >"$TMP/inc.html" 2>/dev/null
ok "grep -q '<h1>.*(incomplete: interrupted by SIGINT' '$TMP/inc.html'" "html: the heading says so"
ok "'$HERDLAB' report --format json '$INC' | sed -n 2p | grep -q '\"complete\": false'" \
	"json: the first key is complete: false"
"$HERDLAB" compare "$R2" "$INC" >"$TMP/inc.txt"
ok "grep -q '^prefork-epoll (incomplete)' '$TMP/inc.txt' && head -1 '$TMP/inc.txt' | grep -q '(1 incomplete)'" \
	"compare: the row and the title say it"

# ---- corrupt tables: rejected, counted, a partial report --------------------------------------
BAD=$TMP/corrupt
cp -r "$R1" "$BAD"
sed -i '3s/^\([0-9]*\),/\1-,/; 5s/^.*$/1,2,3/' "$BAD/requests.csv"
"$HERDLAB" report --format json --out "$TMP/bad.json" "$BAD" 2>"$TMP/bad.err"
is "$?" 1 "corrupt requests.csv: the report is written but exits 1 (partial)"
ok "grep -q 'requests.csv: 2 of $N rows rejected (the first at line 3: scheduled_ns is' '$TMP/bad.err'" \
	"and says which rows, and why"
is "$("$JSONGET" "$TMP/bad.json" partial)" true "json: partial: true"
ok "awk 'BEGIN { exit !($("$JSONGET" "$TMP/bad.json" latency_decomposition.all.total_us) < 1e6) }'" \
	"no mean latency of months from a timestamp ending in '-'"
"$HERDLAB" report --no-plots "$BAD" 2>/dev/null | sed -n 1p >"$TMP/bad.first"
ok "grep -q '(partial: 2 of $N rows of requests.csv rejected)' '$TMP/bad.first'" "text: the first line says partial"

# ---- a FIFO as an input: refused, never waited on ---------------------------------------------
FIFO=$TMP/fifo
cp -r "$R1" "$FIFO"
rm "$FIFO/connections.csv" && mkfifo "$FIFO/connections.csv"
timeout 20 "$HERDLAB" report --no-plots "$FIFO" >"$TMP/fifo.txt" 2>"$TMP/fifo.err"
rc=$?
ok "[ $rc -eq 1 ] && grep -q 'connections.csv: not a regular file' '$TMP/fifo.err'" \
	"connections.csv a FIFO: no hang, exit 1, named (rc $rc)"
ok "head -1 '$TMP/fifo.txt' | grep -q 'partial: connections.csv could not be read'" "and the report says partial"
rm "$FIFO/run.json" && mkfifo "$FIFO/run.json"
timeout 20 "$HERDLAB" report "$FIFO" >/dev/null 2>"$TMP/fifo.err"
rc=$?
ok "[ $rc -eq 1 ] && grep -q 'run.json: not a regular file' '$TMP/fifo.err'" "run.json a FIFO: report refuses it at once (rc $rc)"
timeout 20 "$HERDLAB" compare "$R1" "$FIFO" >/dev/null 2>&1
is "$?" 1 "and compare too"

# ---- a full disk: fails naming the file, nothing half written ---------------------------------
FULL=$TMP/full
mkdir -p "$FULL"
if mount -t tmpfs -o size=64k tmpfs "$FULL" 2>/dev/null; then
	trap 'umount "$FULL" 2>/dev/null; srv_kill_quietly; rm -rf "$TMP"' EXIT
	# 8 KiB left: less than any comparison with its figures, however its tables grow
	dd if=/dev/zero of="$FULL/fill" bs=4k count=14 2>/dev/null
	"$HERDLAB" compare --format md --out "$FULL/c.md" "$R1" "$R2" 2>"$TMP/full.err"
	rc=$?
	ok "[ $rc -eq 1 ] && grep -q '$FULL/' '$TMP/full.err'" "compare md with 8 KiB left on a tmpfs: exit 1, naming the file (rc $rc)"
	ok "[ ! -e '$FULL/c.md' ] && ! ls -a '$FULL' '$FULL/plots' 2>/dev/null | grep -q '\.tmp\.'" \
		"no comparison and no temporary file left"
	ok "for f in '$FULL'/plots/*.svg; do [ -e \"\$f\" ] || continue; tail -c 8 \"\$f\" | grep -q '</svg>' || exit 1; done" \
		"every figure left is whole (ends with </svg>)"
	rm -rf "${FULL:?}"/*
	"$HERDLAB" report --format html --out "$FULL/r.html" "$R1" 2>"$TMP/full.err"
	rc=$?
	ok "[ $rc -eq 1 ] && grep -q 'cannot write $FULL/r.html: No space left on device' '$TMP/full.err'" \
		"report html: exit 1, 'cannot write FILE: No space left on device' (rc $rc)"
	ok "[ -z \"\$(ls -A '$FULL')\" ]" "and nothing left behind"
	dd if=/dev/zero of="$FULL/fill" bs=4k 2>/dev/null
	"$HERDLAB" compare --format html --out "$FULL/c.html" "$R1" "$R2" 2>"$TMP/full.err"
	rc=$?
	ok "[ $rc -eq 1 ] && grep -q 'cannot write $FULL/c.html' '$TMP/full.err' && [ ! -e '$FULL/c.html' ]" \
		"compare html on a full tmpfs: exit 1, named, nothing left (rc $rc)"
	umount "$FULL"
else
	skip "a full disk" "cannot mount a tmpfs here"
fi
"$HERDLAB" report "$R1" >/dev/full 2>"$TMP/full.err"
rc=$?
ok "[ $rc -eq 1 ] && grep -q 'cannot write standard output: No space left on device' '$TMP/full.err'" \
	"report text to /dev/full: exit 1, saying so (rc $rc)"

# ---- findings: what the numbers show, in words, in 100 columns ---------------------------------
"$HERDLAB" compare --findings-only "$R1" "$R2" >"$TMP/find.txt"
is "$?" 0 "compare --findings-only succeeds"
hf=$(printf %.2f "$("$JSONGET" "$R1/run.json" trace.accept.wakeups_per_accept)")
ok "grep -Eq 'Per-worker epoll \(prefork-epoll\) woke (only )?$hf tasks' '$TMP/find.txt'" "findings: the herd in words, with run.json's number ($hf)"
ok "grep -q 'EPOLLEXCLUSIVE (prefork-epoll-exclusive)' '$TMP/find.txt'" "findings: what EPOLLEXCLUSIVE changed"
ok "awk 'length > 100 { exit 1 }' '$TMP/find.txt'" "findings: 100 columns at most"
"$HERDLAB" compare "$R1" "$R2" "$OLD" >"$TMP/wide.txt"
ok "awk 'length > 100 { exit 1 }' '$TMP/wide.txt'" "compare's text tables fit 100 columns"
