# fold_perf.awk - perf script -F pid,tid,ip,sym,dso on stdin -> folded stacks
# ("comm;root;...;leaf count", kernel frames marked _[k] as herdlab marks them)
# of the processes in PIDS (space-separated tgids), root frame "herdsrv".
# The profile test classifies them with herdlab's bucket table (profile_buckets).
BEGIN { n = split(PIDS, p, " "); for (i = 1; i <= n; i++) want[p[i]] = 1 }
/^[ \t]*[0-9]+\/[0-9]+/ { split($1, pt, "/"); keep = (pt[1] in want); nf = 0; next }
/^[ \t]+[0-9a-f]+ / {
	if (!keep) next
	sym = $2; k = ($NF == "([kernel.kallsyms])")
	if (sym == "[unknown]") { d = $NF; gsub(/[()]/, "", d); sub(/.*\//, "", d); sym = "[" d "]" }
	sub(/\+0x[0-9a-f]+$/, "", sym)
	f[++nf] = sym (k ? "_[k]" : ""); next
}
/^$/ { if (keep && nf) { s = "herdsrv"; for (i = nf; i >= 1; i--) s = s ";" f[i]; c[s]++ } keep = 0; nf = 0 }
END { for (s in c) print s, c[s] }
