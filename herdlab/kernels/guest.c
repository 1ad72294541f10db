/* SPDX-License-Identifier: MIT */
/*
 * guest.c - one kernel under qemu (TCG) with the herd study inside.
 *
 * The initramfs (written here, see cpio.c) holds a static busybox, the static
 * herdlab, herdsrv and herdload, the kernel's config (so run.json can say HZ
 * and the preemption model) and a generated /init that mounts proc, sysfs,
 * devtmpfs, tracefs, debugfs and bpffs, brings up lo, raises the descriptor
 * limit, runs `herdlab run --model M [--attach PATH] ...` for each model into
 * /results/M/ (or, for a benchmark, --guest-run's script in /results, which
 * marks its own steps on /dev/console), and sends /results back on the second
 * serial port:
 *
 *	HERDLAB-RESULTS-BEGIN <sha256 of the tar.gz> <bytes>
 *	<the tar.gz in base64>
 *	HERDLAB-RESULTS-END
 *
 * then powers off. The first serial port is the console: the guest's /init
 * marks its steps there ("herdlab-guest: up", "... model M i n"), which gives
 * the progress display and, when something goes wrong, the reason: qemu
 * refused the image, the kernel panicked, never reached /init (no boot),
 * stopped making progress (hang), or the probes did not load. Every run is
 * bounded: past the boot or the whole deadline qemu is killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "files.h"
#include "kernels/cpio.h"
#include "kernels/kernels.h"
#include "progress.h"
#include "kernels/sha256.h"
#include "log.h"
#include "spawn.h"
#include "vec.h"

#define QEMU "qemu-system-x86_64"
#define MARK "herdlab-guest: "
/*
 * The kernel's command line. noirqdebug: under emulation a PREEMPT_RT kernel's
 * threaded 8250 handler is slow enough that the "nobody cared" check disables
 * the second port's IRQ halfway through the results, which then never finish.
 * unknown_nmi_panic, panic_print=0x41: the NMI sent to a guest that stalled
 * (ask_state) panics it with every CPU's backtrace (0x40: where each was) and
 * every task's state and stack (0x1).
 */
#define CMDLINE                                                                 \
	"console=ttyS0 quiet panic=-1 nowatchdog noirqdebug unknown_nmi_panic " \
	"panic_print=0x41"
/* A running model's "running M S" mark: a booted guest that shows nothing new
 * for --stall-timeout, not even this, has hung (its kernel, or its PID 1). */
#define HEARTBEAT_S  KERNELS_HEARTBEAT_S
#define KILL_AFTER_S 10 /* a stuck run's TERM to its KILL */
#define BOOT_SHARE_S 60 /* of the kernel's bound, for the boot and the results */
#define MIN_MODEL_S  20
#define NMI_WAIT_S   20 /* for the panic an NMI asks of a stalled guest, to its end */

/* ---- the initramfs ------------------------------------------------------------------- */

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
 * MODEL.log. While a model runs, PID 1 says so every HEARTBEAT_S, so that the
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
		    "\t\t\tsed \"s/^/" MARK "stuck $m: /\" \"/results/$m.stuck\"\n"
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
		    "\t[ $rc -eq 0 ] || tail -n 3 \"/results/$m.log\" | sed \"s/^/" MARK
		    "log $m: /\"\n"
		    "done\n",
		    HEARTBEAT_S, bound, bound + KILL_AFTER_S);
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
		    "say() { echo \"" MARK "$*\"; }\n"
		    "say \"up $(uname -r) $(cut -d' ' -f1 /proc/uptime)\"\n"
		    "cd /tmp\n");
	if (o->script) /* a benchmark's own script, in place of the study */
		strbuf_addf(&t,
			    "say \"model guest-run 1 1\"\n"
			    "(cd /results && sh /bin/guest-run) >/results/guest-run.log 2>&1\n"
			    "rc=$?\n"
			    "echo \"guest-run $rc\" >>/results/status\n"
			    "say \"done guest-run $rc\"\n"
			    "[ $rc -eq 0 ] || tail -n 3 /results/guest-run.log | sed \"s/^/" MARK
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

static int build_initrd(const struct guest_opts *o, const char *path, struct guest_result *r)
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

/* ---- watching the console ------------------------------------------------------------ */

struct console {
	int fd;
	char line[1024]; /* the line being read */
	size_t len;
	char last[256];	  /* the last complete non-empty line */
	char panic[256];  /* "Kernel panic - not syncing: ..." */
	char model[64];	  /* the model running now */
	char stuck[64];	  /* the last model said to be stuck */
	char nmi_at[200]; /* where the NMI asked of a stalled guest found its CPUs */
	int nmi_cpu;	  /* the CPU whose registers come next in its panic, or -1 */
	bool nmi;	  /* the guest said it received that NMI */
	char failed[256]; /* the first "log M: ..." line of a failed model */
	bool up, sending;
	int done;
	off_t bytes; /* read so far */
};

/*
 * The panic an NMI asked for (ask_state): "NMI received for unknown reason 21 on
 * CPU 0", then for each CPU "NMI backtrace for cpu N" (panic_print's 0x40; the
 * first CPU's own stack comes first), each with the registers of where it was,
 * "RIP: 0010:FUNC+OFF/LEN", which go into nmi_at as "cpu N at FUNC+OFF/LEN", or
 * "... skipped: idling at FUNC", which goes in as "cpu N idle".
 */
static void nmi_found(struct console *c, int cpu, const char *what)
{
	char said[32];
	size_t n = strlen(c->nmi_at);

	snprintf(said, sizeof(said), "cpu %d ", cpu);
	if (!strstr(c->nmi_at, said)) /* once: the first CPU's stack comes twice */
		snprintf(c->nmi_at + n, sizeof(c->nmi_at) - n, "%s%s%s", n ? ", " : "", said, what);
	c->nmi_cpu = -1;
}

static void nmi_line(struct console *c, const char *l)
{
	const char *at;
	int cpu;

	if ((at = strstr(l, "NMI received for unknown reason"))) {
		c->nmi = true;
		c->nmi_cpu = sscanf(at, "NMI received for unknown reason %*x on CPU %d", &cpu) == 1
				     ? cpu
				     : -1;
	} else if (c->nmi && (at = strstr(l, "NMI backtrace for cpu "))) {
		c->nmi_cpu = sscanf(at, "NMI backtrace for cpu %d", &cpu) == 1 ? cpu : -1;
		if (c->nmi_cpu >= 0 && strstr(at, " skipped: idling")) /* no registers follow */
			nmi_found(c, cpu, "idle");
	} else if (c->nmi_cpu >= 0 && (at = strstr(l, "RIP: 0010:"))) {
		char where[160];
		snprintf(where, sizeof(where), "at %s", at + 10);
		nmi_found(c, c->nmi_cpu, where);
	}
}

/*
 * Whether every CPU the NMI found (nmi_at) was entering the breakpoint trap: the
 * emulator running a breakpoint again and again that the kernel, patching its
 * code (a trampoline attached, a static key), has already taken out, which the
 * kernel answers by running the instruction once more (kprobe_int3_handler).
 */
static bool all_at_int3(const char *nmi_at)
{
	int cpus = 0, traps = 0;

	for (const char *p = nmi_at; (p = strstr(p, "cpu ")); p += 4) {
		const char *next = strstr(p + 4, ", cpu ");
		const char *trap = strstr(p, "int3");
		cpus++;
		traps += trap && (!next || trap < next);
	}
	return cpus > 0 && traps == cpus;
}

/* One line of the console: the guest's marks, a panic, an NMI's answer. */
static void console_line(struct console *c, const struct guest_opts *o, struct guest_result *r,
			 uint64_t start)
{
	char *l = c->line, *mark;
	int i, n;

	while (*l == '\r')
		l++;
	l[strcspn(l, "\r")] = 0;
	if (!*l)
		return;
	snprintf(c->last, sizeof(c->last), "%.*s", (int)sizeof(c->last) - 1, l);
	if (strstr(l, "Kernel panic") && !c->panic[0])
		snprintf(c->panic, sizeof(c->panic), "%s", strstr(l, "Kernel panic"));
	nmi_line(c, l);
	if (!(mark = strstr(l, MARK)))
		return;
	mark += strlen(MARK);
	if (!strncmp(mark, "up ", 3) && !c->up) {
		c->up = true;
		r->booted = true;
		r->boot_s = (double)(clock_now_ns() - start) / 1e9;
		progress_say("%s: booted in %.1f s (%s)", o->k->name, r->boot_s, mark + 3);
	} else if (sscanf(mark, "model %63s %d %d", c->model, &i, &n) == 3) {
		progress_say("%s: %s (%d/%d)", o->k->name, c->model, i, n);
	} else if (!strncmp(mark, "stuck ", 6) && strcmp(c->stuck, c->model)) {
		snprintf(c->stuck, sizeof(c->stuck), "%s", c->model);
		progress_say("%s: %s is stuck; the guest stops it", o->k->name, c->model);
	} else if (!strncmp(mark, "done ", 5)) {
		c->done++;
	} else if (!strncmp(mark, "log ", 4) && !c->failed[0]) {
		snprintf(c->failed, sizeof(c->failed), "%s", mark + 4);
	} else if (!strncmp(mark, "sending ", 8)) {
		c->sending = true;
		progress_say("%s: sending the results (%s bytes)", o->k->name, mark + 8);
	}
}

static void console_poll(struct console *c, const struct guest_opts *o, struct guest_result *r,
			 uint64_t start)
{
	char buf[4096];
	ssize_t n;

	while (c->fd >= 0 && (n = read(c->fd, buf, sizeof(buf))) > 0) {
		c->bytes += n;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				c->line[c->len] = 0;
				console_line(c, o, r, start);
				c->len = 0;
			} else if (c->len < sizeof(c->line) - 1) {
				c->line[c->len++] = buf[i];
			}
		}
	}
}

/*
 * A guest that stalled: ask its kernel what it was doing. qemu's monitor sends
 * an NMI, which reaches a CPU even where interrupts are off (a lock spun on
 * forever); the guest's kernel (CMDLINE) panics with the stack of where the NMI
 * found it and every task's state, onto the console, and qemu exits
 * (-no-reboot). True when qemu exited within NMI_WAIT_S (*@status: how).
 */
static bool ask_state(const char *monitor, pid_t pid, int *status, struct console *c,
		      const struct guest_opts *o, struct guest_result *r, uint64_t start)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	bool exited = false;
	int fd;

	if (snprintf(a.sun_path, sizeof(a.sun_path), "%s", monitor) >= (int)sizeof(a.sun_path))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    write(fd, "nmi\n", 4) != 4) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	progress_say("%s: stalled; asking its kernel for its state (an NMI)", o->k->name);
	uint64_t until = clock_now_ns() + NMI_WAIT_S * NSEC_PER_SEC;
	while (!exited && clock_now_ns() < until) {
		nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);
		exited = waitpid(pid, status, WNOHANG) == pid;
		console_poll(c, o, r, start);
	}
	close(fd);
	return exited;
}

/* ---- the results channel ---------------------------------------------------------------- */

static int b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* Decode base64 in place, skipping whitespace; the decoded length, or -1 if malformed. */
static ssize_t b64_decode(char *s, size_t len)
{
	size_t out = 0;
	unsigned acc = 0;
	int bits = 0, pad = 0;

	for (size_t i = 0; i < len; i++) {
		int ch = (unsigned char)s[i], v;
		if (ch == '\n' || ch == '\r' || ch == ' ' || ch == '\t')
			continue;
		if (ch == '=') {
			pad++;
			continue;
		}
		if (pad || (v = b64val(ch)) < 0)
			return -1; /* data after padding, or a stray byte */
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			s[out++] = (char)((acc >> bits) & 0xff);
		}
	}
	return pad > 2 ? -1 : (ssize_t)out;
}

/*
 * results.txt -> the checked tar.gz at @tgz. 0, or -1 with the reason: nothing
 * sent, cut short, or a digest that does not match.
 */
static int take_results(const char *txt, const char *tgz, struct guest_result *r)
{
	size_t len = 0;
	char *buf = files_read(txt, &len), *begin, *data, *end, sum[65], got[65];
	unsigned long size;
	int rc = -1;

	if (!buf || !(begin = strstr(buf, "HERDLAB-RESULTS-BEGIN "))) {
		snprintf(r->reason, sizeof(r->reason), "no results came back");
		goto out;
	}
	if (sscanf(begin, "HERDLAB-RESULTS-BEGIN %64s %lu", sum, &size) != 2 ||
	    !(data = strchr(begin, '\n'))) {
		snprintf(r->reason, sizeof(r->reason), "the results' header is garbled");
		goto out;
	}
	if (!(end = strstr(data, "HERDLAB-RESULTS-END"))) {
		snprintf(r->reason, sizeof(r->reason),
			 "the results were cut short (no end marker after %zu bytes)",
			 len - (size_t)(data - buf));
		goto out;
	}
	ssize_t n = b64_decode(data, (size_t)(end - data));
	if (n < 0 || (size_t)n != size) {
		snprintf(r->reason, sizeof(r->reason),
			 "the results arrived damaged: %zd bytes decoded, %lu sent", n, size);
		goto out;
	}
	sha256_hex(data, (size_t)n, got);
	if (strcmp(got, sum)) {
		snprintf(r->reason, sizeof(r->reason),
			 "the results arrived damaged: sha256 %s, the guest sent %s", got, sum);
		goto out;
	}
	if (files_write(tgz, data, (size_t)n) < 0) {
		snprintf(r->reason, sizeof(r->reason), "cannot write %.400s: %m", tgz);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* Why a guest that went silent failed: in which model, and what the NMI found. */
static void stall_reason(const struct guest_opts *o, struct guest_result *r,
			 const struct console *c, const char *last)
{
	size_t len = sizeof(r->reason);
	int n = snprintf(
		r->reason, len,
		"hang: no output from the guest for %.0f s, not even its heartbeat, %s%.40s "
		"(last console line: %.100s); ",
		o->stall_s, c->sending ? "while sending the results" : "while running ",
		c->sending ? "" : c->model, last);

	if (n < 0 || (size_t)n >= len)
		return;
	if (!c->nmi)
		snprintf(r->reason + n, len - n, "its kernel did not answer an NMI");
	else if (!c->nmi_at[0])
		snprintf(r->reason + n, len - n, "an NMI panicked it (the stacks: console.log)");
	else if (all_at_int3(c->nmi_at))
		snprintf(r->reason + n, len - n,
			 "an NMI found %s: every CPU traps on a breakpoint the kernel has patched "
			 "away, which the emulator still runs (the stacks: console.log)",
			 c->nmi_at);
	else
		snprintf(r->reason + n, len - n, "an NMI found %s (the stacks: console.log)",
			 c->nmi_at);
}

/* ---- the run -------------------------------------------------------------------------------- */

int guest_run(const struct guest_opts *o, struct guest_result *r)
{
	char initrd[PATH_MAX], console[PATH_MAX], results[PATH_MAX], qlog[PATH_MAX], tgz[PATH_MAX];
	char ser0[PATH_MAX + 8], ser1[PATH_MAX + 8], log[PATH_MAX + 32], mon[PATH_MAX];
	char monarg[PATH_MAX + 32], stalled_at[256] = "";
	struct console c = { .fd = -1, .nmi_cpu = -1 };
	uint64_t start = clock_now_ns();
	bool timed_out = false, stalled = false;
	int status = -1;

	memset(r, 0, sizeof(*r));
	pathf(initrd, "%s/initrd.gz", o->work);
	pathf(console, "%s/console.log", o->work);
	pathf(results, "%s/results.txt", o->work);
	pathf(qlog, "%s/qemu.log", o->work);
	pathf(tgz, "%s/results.tgz", o->work);
	pathf(mon, "%s/qemu.mon", o->work);
	/* the monitor, for ask_state, where its path fits a socket's address */
	if (strlen(mon) < sizeof(((struct sockaddr_un *)0)->sun_path))
		snprintf(monarg, sizeof(monarg), "unix:%s,server=on,wait=off", mon);
	else
		snprintf(monarg, sizeof(monarg), "none");
	progress_say("%s: building the initramfs", o->k->name);
	if (build_initrd(o, initrd, r) < 0)
		return -1;

	snprintf(ser0, sizeof(ser0), "file:%s", console);
	snprintf(ser1, sizeof(ser1), "file:%s", results);
	char *const argv[] = { QEMU,
			       "-accel",
			       "tcg,thread=single",
			       "-cpu",
			       "max",
			       "-smp",
			       "2",
			       "-m",
			       "1024",
			       "-nodefaults",
			       "-display",
			       "none",
			       "-no-reboot",
			       "-serial",
			       ser0,
			       "-serial",
			       ser1,
			       "-kernel",
			       (char *)o->k->vmlinuz,
			       "-initrd",
			       initrd,
			       "-append",
			       CMDLINE,
			       "-monitor",
			       monarg,
			       NULL };
	/* the command line for the record, its scratch files by their names */
	snprintf(r->qemu_cmd, sizeof(r->qemu_cmd), "%s", QEMU);
	for (int i = 1; argv[i]; i++) {
		const char *a = argv[i], *slash = strrchr(a, '/');
		char one[PATH_MAX + 16];
		if (a == ser0 || a == ser1)
			snprintf(one, sizeof(one), " file:%s", slash + 1);
		else if (a == monarg && strcmp(a, "none"))
			snprintf(one, sizeof(one), " unix:%s", slash + 1);
		else if (a == initrd || a == o->k->vmlinuz)
			snprintf(one, sizeof(one), " %s", slash + 1);
		else
			snprintf(one, sizeof(one), strchr(a, ' ') ? " '%s'" : " %s", a);
		snprintf(r->qemu_cmd + strlen(r->qemu_cmd),
			 sizeof(r->qemu_cmd) - strlen(r->qemu_cmd), "%s", one);
	}
	/* qemu creates the serial files; create them first so the console can be followed */
	close(open(console, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
	close(open(results, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
	c.fd = open(console, O_RDONLY | O_CLOEXEC);

	progress_say("%s: booting %s", o->k->name, o->k->release[0] ? o->k->release : "");
	pid_t pid = spawn_start(&(struct spawn){
		.argv = argv, .out = qlog, .err = qlog, .own_group = true, .death_sig = SIGKILL });
	if (pid < 0) {
		snprintf(r->reason, sizeof(r->reason), "cannot start %s", QEMU);
		goto out;
	}
	uint64_t boot_deadline = start + (uint64_t)(o->boot_timeout_s * 1e9);
	uint64_t deadline = start + (uint64_t)(o->timeout_s * 1e9);
	uint64_t active = start; /* the last time the console or the results channel grew */
	off_t sent = 0;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		struct stat st;
		off_t seen = c.bytes;
		console_poll(&c, o, r, start);
		if (c.bytes != seen || (stat(results, &st) == 0 && st.st_size != sent)) {
			active = clock_now_ns();
			sent = stat(results, &st) == 0 ? st.st_size : sent;
		}
		if (w == pid)
			break;
		if (o->stop && *o->stop) {
			status = spawn_stop(pid, 3000);
			snprintf(r->reason, sizeof(r->reason), "interrupted");
			goto out;
		}
		uint64_t now = clock_now_ns();
		if ((!c.up && now >= boot_deadline) || now >= deadline ||
		    (c.up && now - active >= (uint64_t)(o->stall_s * 1e9))) {
			timed_out = true;
			stalled = now < deadline && c.up;
			snprintf(stalled_at, sizeof(stalled_at), "%s", c.last);
			if (!(stalled && ask_state(mon, pid, &status, &c, o, r, start)))
				status = spawn_stop(pid, 3000);
			console_poll(&c, o, r, start);
			break;
		}
		nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);
	}
	r->duration_s = (double)(clock_now_ns() - start) / 1e9;

	/* Whatever ended it: results that came back whole are good results. */
	if (take_results(results, tgz, r) == 0) {
		char *const tar[] = { "tar", "-xzf", tgz, "-C", (char *)o->out, "--no-same-owner",
				      NULL };
		pathf(log, "%s/tar.log", o->work);
		if (spawn_run(&(struct spawn){ .argv = tar, .out = log, .err = log }, o->stop) !=
		    0) {
			char last[401];
			files_last_line(log, NULL, last, sizeof(last));
			snprintf(r->reason, sizeof(r->reason), "cannot unpack the results: %s",
				 last);
			goto out;
		}
		r->reason[0] = 0;
		if (timed_out)
			log_warn("%s: the results came back, but the guest did not power off "
				 "within %.0f s",
				 o->k->name, o->timeout_s);
		goto out;
	}
	/* No results: say why, from what qemu and the console showed. */
	char qerr[256] = "", saw[300], channel[256];
	snprintf(channel, sizeof(channel), "%.255s", r->reason);
	files_last_line(qlog, QEMU, qerr, sizeof(qerr));
	snprintf(saw, sizeof(saw), "%.255s", c.last[0] ? c.last : "nothing on the console");
	if (timed_out && !c.up)
		snprintf(r->reason, sizeof(r->reason),
			 "no boot: /init did not start within %.0f s (last console line: %.200s)",
			 o->boot_timeout_s, saw);
	else if (timed_out && stalled)
		stall_reason(o, r, &c, stalled_at[0] ? stalled_at : saw);
	else if (timed_out)
		snprintf(r->reason, sizeof(r->reason),
			 "hang: timed out after %.0f s %s%s (last console line: %.200s)",
			 o->timeout_s, c.sending ? "while sending the results" : "while running ",
			 c.sending ? "" : c.model, saw);
	else if (c.panic[0])
		snprintf(r->reason, sizeof(r->reason), "%s: %.300s",
			 c.up ? "kernel panic" : "no boot: kernel panic", c.panic);
	else if (qerr[0] && !c.up)
		snprintf(r->reason, sizeof(r->reason), "qemu refused the kernel: %.400s", qerr);
	else if (!c.up)
		snprintf(r->reason, sizeof(r->reason),
			 "no boot: the machine %s before /init ran (last console line: %.200s)",
			 spawn_code(status) == 0 ? "reset or powered off" : "stopped", saw);
	else if (c.failed[0] && !c.sending)
		snprintf(r->reason, sizeof(r->reason), "the guest stopped after a failure: %.400s",
			 c.failed);
	else if (!strcmp(channel, "no results came back"))
		snprintf(r->reason, sizeof(r->reason),
			 "the guest stopped before sending its results (last console line: "
			 "%.200s)",
			 saw);
	/* else: the channel's own reason (cut short, damaged) stands */
out:
	if (!r->duration_s)
		r->duration_s = (double)(clock_now_ns() - start) / 1e9;
	if (c.fd >= 0)
		close(c.fd);
	unlink(mon);
	unlink(initrd);
	unlink(tgz);
	return r->reason[0] ? -1 : 0;
}
