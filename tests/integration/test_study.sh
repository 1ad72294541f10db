#!/usr/bin/env bash
# test_study.sh - herdlab study --quick end to end: it runs every experiment's
# quick cells and writes every page; the result is complete and consistent
# (tests/tools/studycheck: every claim has a verdict, every cell ran or says
# why not, every number in a sentence is one study.json keeps beside it);
# --report-only rewrites the same pages from the same runs; a study stopped
# by SIGINT says it is incomplete and keeps the cells done so far. What the
# numbers say is not checked: that is the study's job, not the test's.
#
# Needs root (the tracer, the cgroups); skips otherwise, fails under CI=true.
# About three minutes.
source "$(dirname "$0")/lib.sh"
HERDLAB=$ROOT/$BUILD/herdlab
CHECK=$ROOT/$BUILD/tests/tools/studycheck

if [ "$(id -u)" -ne 0 ]; then
	skip "herdlab study --quick" "needs root (the tracer and the cgroups)"
	exit 0
fi

OUT=$TMP/study
start=$(date +%s)
"$HERDLAB" study --quick --out "$OUT" >"$TMP/study.log" 2>&1
rc=$?
took=$(($(date +%s) - start))
is "$rc" 0 "herdlab study --quick exits 0"
[ "$rc" -eq 0 ] || tail -20 "$TMP/study.log" | sed 's/^/#   /'
echo "# herdlab study --quick took ${took} s"
ok "[ $took -le 240 ]" "--quick stays within its few minutes (${took} s)"
for e in fileserver prefork-epoll unp echo forkpool; do
	ok "[ -s '$OUT/$e.md' ] && [ -s '$OUT/$e.html' ]" "the $e page in Markdown and HTML"
done
ok "[ -s '$OUT/README.md' ] && grep -q '^| claim' '$OUT/README.md'" "README.md has the claims table"
ok "grep -q 'reproduced\|differs\|not measured' '$OUT/README.md'" "README.md gives verdicts"
ok "! grep -q '<img src=\"figures' '$OUT/fileserver.html'" "the HTML pages draw their figures inline"
out=$("$CHECK" "$OUT")
rc=$?
is "$rc" 0 "study.json is complete and consistent"
[ "$rc" -eq 0 ] && echo "# $out" || echo "$out" | head -20 | sed 's/^/#   /'
ok "grep -q 'progress\|\[1/' '$TMP/study.log'" "progress lines name the cell of how many"
ok "grep -q 'left\]' '$TMP/study.log'" "progress lines estimate the time left"

# --report-only: the same pages again, from the runs
cp "$OUT/unp.md" "$TMP/unp.before"
rm -f "$OUT/unp.md" "$OUT/README.md"
"$HERDLAB" study --report-only "$OUT" >"$TMP/report.log" 2>&1
is "$?" 0 "herdlab study --report-only exits 0"
ok "cmp -s '$OUT/unp.md' '$TMP/unp.before'" "--report-only writes the same page from the same runs"
ok "[ -s '$OUT/README.md' ]" "--report-only writes README.md"
"$CHECK" "$OUT" >/dev/null
is "$?" 0 "still consistent after --report-only"

# SIGINT: the cells done so far, the study marked incomplete
INT=$TMP/int
"$HERDLAB" study --quick --only fileserver --out "$INT" >"$TMP/int.log" 2>&1 &
pid=$!
for i in $(seq 100); do
	n=$(ls -d "$INT"/cells/fileserver/*/rep-1 2>/dev/null | wc -l)
	[ "$n" -ge 3 ] && break
	sleep 0.2
done
kill -INT "$pid"
wait "$pid"
is "$?" 130 "an interrupted study exits 130"
ok "grep -q '\"complete\": false' '$INT/study.json'" "an interrupted study.json says incomplete"
ok "grep -q 'interrupted' '$INT/README.md'" "its README says it was interrupted"
ok "[ \$(grep -c '\"run.json\\|\"dir\"' '$INT/study.json') -ge 1 ]" "it keeps the cells done so far"
left=$(pgrep -f "$INT" | wc -l)
is "$left" 0 "nothing of the interrupted study is left running"
echo "1..$TAP_N"
