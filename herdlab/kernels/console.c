/* SPDX-License-Identifier: MIT */
/*
 * console.c - a guest's console, followed as qemu writes it (console.h): the
 * marks of its /init (initramfs.c), a kernel panic, and the panic that an NMI
 * asked of a guest gone silent, whose backtraces say where each CPU was.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "kernels/console.h"
#include "kernels/initramfs.h"
#include "progress.h"

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
	if (!(mark = strstr(l, GUEST_MARK)))
		return;
	mark += strlen(GUEST_MARK);
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

void console_poll(struct console *c, const struct guest_opts *o, struct guest_result *r,
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

/* Why a guest that went silent failed: in which model, and what the NMI found. */
void console_stall_reason(const struct guest_opts *o, struct guest_result *r,
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
