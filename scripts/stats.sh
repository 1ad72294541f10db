# stats.sh - the paired benchmarks' statistics, sourced by scripts/bench_tracer.sh
# and scripts/bench_guest_tracer.sh: numbers one a line (or space-separated) on
# stdin, a median and its distribution-free 95% confidence interval.
#
# A pair's ratio (an observed run over the untraced run beside it) is free of
# the machine's slow drifts; the median of the ratios with an interval from
# their order statistics (a sign test) needs no assumption about how they are
# spread, so a goal is called met, missed, or not decided by a run.

sorted() { tr ' ' '\n' | grep . | sort -g; }
median() { sorted | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# ci95: "lo hi", a distribution-free 95% interval for the median of the numbers on
# stdin: the (k+1)-th and (n-k)-th smallest, k the largest with P(Bin(n, 1/2) <= k) <= 2.5%;
# "- -" when there are too few (under 6) for one.
ci95() {
	sorted | awk '{ v[NR] = $1 } END {
		n = NR; p = 0.5 ^ n; c = 0; k = -1
		for (i = 0; i < n; i++) { c += p; if (c > 0.025) break; k = i; p = p * (n - i) / (i + 1) }
		if (k < 0) print "- -"; else print v[k + 1], v[n - k]
	}'
}
pct() { [ "$1" = - ] && echo - || awk -v x="$1" 'BEGIN { printf "%.1f%%", 100 * x }'; }
# goal_verdict LO HI GOAL: whether the interval [LO, HI] of a median says GOAL is met.
goal_verdict() {
	awk -v lo="$1" -v hi="$2" -v g="$3" 'BEGIN {
		v = lo == "-" ? "not decided (too few rounds for an interval)" : lo >= g ? "met (the whole interval is at or above it)" : hi < g ? "missed (the whole interval is below it)" : "not decided by this run (the interval spans it)"
		print v
	}'
}
