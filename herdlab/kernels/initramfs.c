/* SPDX-License-Identifier: MIT */
/*
 * initramfs.c - what a guest boots into (initramfs.h): a gzip'ed cpio (cpio.c)
 * of a static busybox, the static herdlab, herdsrv and herdload, the kernel's
 * config (so run.json can say HZ and the preemption model) and a generated
 * /init, PID 1, that mounts proc, sysfs, devtmpfs, tracefs, debugfs and bpffs,
 * brings up lo, raises the descriptor limit, runs `herdlab run --model M
 * [--attach PATH] ...` for each model into /results/M/ (or, for a benchmark,
 * --guest-run's script in /results, which marks its own steps on /dev/console),
 * sends /results back on the second serial port (guest.c reads it) and powers
 * off. Its steps are marked on the console ("herdlab-guest: up", "... model M i
 * n", "... running M S", "... done M RC"), which console.c reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpio.h"
#include "kernels/initramfs.h"
#include "vec.h"

#define KILL_AFTER_S 10 /* a stuck run's TERM to its KILL */
#define BOOT_SHARE_S 60 /* of the kernel's bound, for the boot and the results */
#define MIN_MODEL_S  20

bool kernels_safe_word(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/"
			    ":,=+-",
			    *s))
			return false;
	return true;
}

/* Each model's share of the kernel's bound, after the boot's and the results'. */
static int guest_model_bound_s(const struct guest_opts *o)
{
	double share = (o->timeout_s - BOOT_SHARE_S) / (o->nmodels > 0 ? o->nmodels : 1);

	return share > MIN_MODEL_S ? (int)share : MIN_MODEL_S;
}

/*
 * Every user task's state, where it sleeps and its kernel stack: what a run that
 * stopped making progress was waiting for (kernel threads have no executable).
 */
#define STATES_FN                                                                    \
	"states() {\n"                                                               \
	"\tfor d in /proc/[0-9]*; do\n"                                              \
	"\t\treadlink $d/exe >/dev/null 2>&1 || continue\n"                          \
	"\t\tfor t in $d/task/[0-9]*; do\n"                                          \
	"\t\t\techo \"${t##*/} $(cut -d' ' -f2,3 $t/stat) wchan=$(cat $t/wchan)\"\n" \
	"\t\t\tsed 's/^/    /' $t/stack 2>/dev/null\n"                               \
	"\t\tdone\n"                                                                 \
	"\tdone\n"                                                                   \
	"}\n"

/* Whether process $1 runs; a zombie does not (where kill -0 would say it does). */
#define ALIVE_FN \
	"alive() { case \"$(cat /proc/$1/stat 2>/dev/null)\" in ''|*') Z '*) return 1;; esac; }\n"

/*
 * The study: herdlab run for each model, into /results/MODEL/, its output in
 * MODEL.log. While a model runs, PID 1 says so every KERNELS_HEARTBEAT_S, so that the
 * host's stall means the guest itself stopped; past its share of the kernel's
 * bound (guest_model_bound_s) the run is stuck: the tasks' states go to
 * MODEL.stuck and the console, and the run is stopped (TERM, then KILL), so
 * that the other models still run and the results still come back.
 */
static void study_loop(struct strbuf *t, const struct guest_opts *o)
{
	int bound = guest_model_bound_s(o);

	strbuf_addf(t, STATES_FN ALIVE_FN "n=0\nfor m in");
	for (int i = 0; i < o->nmodels; i++)
		strbuf_addf(t, " %s", o->models[i]);
	strbuf_addf(t,
		    "; do\n"
		    "\tn=$((n + 1))\n"
		    "\tsay \"model $m $n %d\"\n"
		    "\therdlab run --model \"$m\" --workers %d",
		    o->nmodels, o->workers);
	if (o->attach)
		strbuf_addf(t, " --attach %s", o->attach);
	for (int i = 0; i < o->nload; i++)
		strbuf_addf(t, " %s", o->load[i]);
	strbuf_addf(t,
		    " --out \"/results/$m\" >\"/results/$m.log\" 2>&1 &\n"
		    "\tpid=$! s=0\n"
		    "\twhile alive $pid; do\n"
		    "\t\tsleep 1\n"
		    "\t\ts=$((s + 1))\n"
		    "\t\t[ $((s %% %d)) -ne 0 ] || say \"running $m $s\"\n"
		    "\t\tif [ $s -eq %d ]; then\n"
		    "\t\t\t{ echo \"herdlab run had not finished after $s s\"; states; } "
		    ">\"/results/$m.stuck\"\n"
		    "\t\t\tsed \"s/^/" GUEST_MARK "stuck $m: /\" \"/results/$m.stuck\"\n"
		    "\t\t\tkill -TERM $pid\n"
		    "\t\tfi\n"
		    "\t\t[ $s -ne %d ] || kill -KILL $pid\n"
		    "\tdone\n"
		    "\twait $pid\n"
		    "\trc=$?\n"
		    "\t# no gnuplot here: the host draws the report and its figures again\n"
		    "\trm -rf \"/results/$m/report.md\" \"/results/$m/report.html\" "
		    "\"/results/$m/plots\"\n"
		    "\techo \"$m $rc\" >>/results/status\n"
		    "\tsay \"done $m $rc\"\n"
		    "\t[ $rc -eq 0 ] || tail -n 3 \"/results/$m.log\" | sed \"s/^/" GUEST_MARK
		    "log $m: /\"\n"
		    "done\n",
		    KERNELS_HEARTBEAT_S, bound, bound + KILL_AFTER_S);
}

/*
 * The guest's /init. Models and load options are checked words (kernels_safe_word),
 * so they go into the script as they are.
 */
static char *init_script(const struct guest_opts *o)
{
	struct strbuf t = { 0 };

	strbuf_addf(&t,
		    "#!/bin/sh\n"
		    "# /init of a herdlab kernels guest (generated by herdlab kernels), PID 1.\n"
		    "export PATH=/bin\n"
		    "/bin/busybox --install -s /bin\n"
		    "mount -t proc proc /proc\n"
		    "mount -t sysfs sysfs /sys\n"
		    "mount -t devtmpfs devtmpfs /dev 2>/dev/null\n"
		    "mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null\n"
		    "mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null\n"
		    "mount -t bpf bpf /sys/fs/bpf 2>/dev/null\n"
		    "ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up\n"
		    "ulimit -n 65536 2>/dev/null\n"
		    "echo '32768 60999' >/proc/sys/net/ipv4/ip_local_port_range\n"
		    "say() { echo \"" GUEST_MARK "$*\"; }\n"
		    "say \"up $(uname -r) $(cut -d' ' -f1 /proc/uptime)\"\n"
		    "cd /tmp\n");
	if (o->script) /* a benchmark's own script, in place of the study */
		strbuf_addf(
			&t,
			"say \"model guest-run 1 1\"\n"
			"(cd /results && sh /bin/guest-run) >/results/guest-run.log 2>&1\n"
			"rc=$?\n"
			"echo \"guest-run $rc\" >>/results/status\n"
			"say \"done guest-run $rc\"\n"
			"[ $rc -eq 0 ] || tail -n 3 /results/guest-run.log | sed \"s/^/" GUEST_MARK
			"log guest-run: /\"\n");
	else
		study_loop(&t, o);
	strbuf_addf(&t,
		    "cd /results && tar -czf /tmp/results.tgz .\n"
		    "set -- $(sha256sum /tmp/results.tgz)\n"
		    "size=$(wc -c </tmp/results.tgz)\n"
		    "say \"sending $size\"\n"
		    "stty -F /dev/ttyS1 raw -echo 2>/dev/null\n"
		    "# the last close of the tty waits until the UART has sent everything\n"
		    "{\n"
		    "\techo \"HERDLAB-RESULTS-BEGIN $1 $size\"\n"
		    "\tbase64 /tmp/results.tgz\n"
		    "\techo HERDLAB-RESULTS-END\n"
		    "} >/dev/ttyS1\n"
		    "say sent\n"
		    "poweroff -f\n"
		    "# poweroff failed: returning panics the kernel, and qemu -no-reboot exits\n");
	if (t.oom) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

int initramfs_build(const struct guest_opts *o, const char *path, struct guest_result *r)
{
	static const char *const dirs[] = { "bin",     "dev",  "proc", "sys",	    "tmp",
					    "results", "boot", "etc",  "sys/fs/bpf" };
	static const char *const progs[] = { "herdlab", "herdsrv", "herdload" };
	char src[PATH_MAX], name[PATH_MAX];
	char *script = init_script(o);
	struct cpio *c = cpio_open(path, 6);
	int rc = 0;

	if (!c || !script) {
		snprintf(r->reason, sizeof(r->reason), "cannot write the initramfs %.400s: %m",
			 path);
		free(script);
		cpio_close(c);
		return -1;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		rc |= cpio_dir(c, dirs[i], 0755);
	/* the kernel opens /dev/console for /init before devtmpfs is mounted */
	rc |= cpio_chardev(c, "dev/console", 0600, 5, 1);
	if (cpio_file(c, "bin/busybox", 0755, o->busybox) < 0) {
		snprintf(r->reason, sizeof(r->reason), "cannot read %s: %m", o->busybox);
		rc = -1;
	}
	rc |= cpio_symlink(c, "bin/sh", "busybox");
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		snprintf(name, sizeof(name), "bin/%s", progs[i]);
		if ((pathf(src, "%s/%s", o->bindir, progs[i]), cpio_file(c, name, 0755, src)) < 0) {
			snprintf(r->reason, sizeof(r->reason), "cannot read %.400s: %m", src);
			rc = -1;
		}
	}
	if (o->script && cpio_file(c, "bin/guest-run", 0755, o->script) < 0) {
		snprintf(r->reason, sizeof(r->reason), "cannot read %.400s: %m", o->script);
		rc = -1;
	}
	if (o->k->config[0] && o->k->release[0]) {
		snprintf(name, sizeof(name), "boot/config-%s", o->k->release);
		rc |= cpio_file(c, name, 0644, o->k->config);
	}
	rc |= cpio_data(c, "init", 0755, script, strlen(script));
	free(script);
	if (cpio_close(c) < 0 || rc) {
		if (!r->reason[0])
			snprintf(r->reason, sizeof(r->reason),
				 "cannot write the initramfs %.400s: %m", path);
		return -1;
	}
	return 0;
}
