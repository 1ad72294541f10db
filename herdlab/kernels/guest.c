/* SPDX-License-Identifier: MIT */
/*
 * guest.c - one kernel under qemu (TCG) with the herd study inside.
 *
 * qemu boots the kernel with the initramfs of initramfs.c, whose /init runs
 * the study (or a benchmark's script) and sends /results back on the second
 * serial port:
 *
 *	HERDLAB-RESULTS-BEGIN <sha256 of the tar.gz> <bytes>
 *	<the tar.gz in base64>
 *	HERDLAB-RESULTS-END
 *
 * then powers off. The first serial port is the console (console.c), which
 * gives the progress display and, when something goes wrong, the reason: qemu
 * refused the image, the kernel panicked, never reached /init (no boot),
 * stopped making progress (hang: then an NMI, through qemu's monitor, asks the
 * kernel where each CPU was), or the probes did not load. Every run is
 * bounded: past the boot, the silence or the whole deadline qemu is killed.
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
#include "kernels/console.h"
#include "kernels/initramfs.h"
#include "kernels/kernels.h"
#include "progress.h"
#include "kernels/sha256.h"
#include "log.h"
#include "spawn.h"

#define QEMU "qemu-system-x86_64"
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
#define NMI_WAIT_S 20 /* for the panic an NMI asks of a stalled guest, to its end */

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
	if (initramfs_build(o, initrd, r) < 0)
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
		console_stall_reason(o, r, &c, stalled_at[0] ? stalled_at : saw);
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
