/* SPDX-License-Identifier: MIT */
/*
 * test_kernels.c - the pieces of herdlab kernels that need no guest: SHA-256,
 * the results channel (base64 between markers, checked against its digest),
 * the initramfs writer, a bzImage's release string, the guest's /init,
 * kernels.md's findings table filled from numbers, the tracer's two paths side
 * by side, and kernels.json written and read back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

/* their static functions: b64_decode, take_results; init_script; console_line */
#include "kernels/console.c"
#include "kernels/guest.c"
#include "kernels/initramfs.c"
#include "jsonio.h"
#include "kernels/kjson.h"
#include "kernels/kmd.h"
#include "kernels/matrix.h"

static char dir[] = "/tmp/herdtest-kernels.XXXXXX";

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return files_rmtree(dir);
}

static void write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void sha256_vectors(void **state)
{
	char hex[65];
	static const char abc56[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	sha256_hex("", 0, hex);
	assert_string_equal(hex,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex(abc56, strlen(abc56), hex); /* the padding spills into a second block */
	assert_string_equal(hex,
			    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

	/* fed in odd pieces, the same as at once */
	char *a = malloc(1000000);
	struct sha256 s;
	uint8_t d[32];
	memset(a, 'a', 1000000);
	sha256_init(&s);
	for (size_t off = 0; off < 1000000; off += 777)
		sha256_update(&s, a + off, 1000000 - off < 777 ? 1000000 - off : 777);
	sha256_final(&s, d);
	assert_int_equal(d[0], 0xcd);
	assert_int_equal(d[31], 0xd0); /* cdc76e5c...f81d4d4ef2b0 ...046539c112d0 */
	free(a);
}

static void base64(void **state)
{
	char a[] = "aGVs\nbG8=\n", b[] = "aGVsbG8", c[] = "aGV*bG8=", e[] = "aGVsbG8=QQ==";

	assert_int_equal(b64_decode(a, strlen(a)), 5);
	assert_memory_equal(a, "hello", 5);
	assert_int_equal(b64_decode(b, strlen(b)), 5); /* padding is optional */
	assert_int_equal(b64_decode(c, strlen(c)), -1);
	assert_int_equal(b64_decode(e, strlen(e)), -1); /* data after the padding */
}

/* A results channel as the guest writes it, around @payload; @damage flips one character. */
static void channel(const char *path, const char *payload, bool damage, bool cut)
{
	static const char *const b64 =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char sum[65], text[4096] = "some noise\r\n";
	size_t n = strlen(payload), t;

	sha256_hex(payload, n, sum);
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "HERDLAB-RESULTS-BEGIN %s %zu\n",
		 sum, n);
	t = strlen(text);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)payload[i] << 16 |
			     (i + 1 < n ? (unsigned char)payload[i + 1] << 8 : 0) |
			     (i + 2 < n ? (unsigned char)payload[i + 2] : 0);
		text[t++] = b64[v >> 18 & 63];
		text[t++] = b64[v >> 12 & 63];
		text[t++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		text[t++] = i + 2 < n ? b64[v & 63] : '=';
		if (i % 57 == 54)
			text[t++] = '\n';
	}
	text[t] = 0;
	if (damage)
		text[t - 3] = text[t - 3] == 'A' ? 'B' : 'A';
	if (!cut)
		strcat(text, "\r\nHERDLAB-RESULTS-END\r\n");
	write_text(path, text, strlen(text));
}

static void results_channel(void **state)
{
	char txt[PATH_MAX], tgz[PATH_MAX], got[256];
	struct guest_result r = { 0 };
	const char *payload = "any bytes at all: \x01\x02\xff, a tar.gz in real life, "
			      "long enough to need several lines of base64 output";
	FILE *f;

	snprintf(txt, sizeof(txt), "%s/results.txt", dir);
	snprintf(tgz, sizeof(tgz), "%s/results.tgz", dir);
	channel(txt, payload, false, false);
	assert_int_equal(take_results(txt, tgz, &r), 0);
	f = fopen(tgz, "r");
	assert_non_null(f);
	size_t n = fread(got, 1, sizeof(got), f);
	fclose(f);
	assert_int_equal(n, strlen(payload));
	assert_memory_equal(got, payload, n);

	channel(txt, payload, true, false);
	assert_int_equal(take_results(txt, tgz, &r), -1);
	assert_non_null(strstr(r.reason, "damaged"));

	channel(txt, payload, false, true);
	assert_int_equal(take_results(txt, tgz, &r), -1);
	assert_non_null(strstr(r.reason, "cut short"));

	write_text(txt, "", 0);
	assert_int_equal(take_results(txt, tgz, &r), -1);
	assert_string_equal(r.reason, "no results came back");
}

/* The archive, inflated, holds newc entries in order, 4-byte aligned, then the trailer. */
static void initramfs(void **state)
{
	char path[PATH_MAX], buf[4096];
	struct cpio *c;
	gzFile gz;
	int n;

	snprintf(path, sizeof(path), "%s/initrd.gz", dir);
	c = cpio_open(path, 6);
	assert_non_null(c);
	assert_int_equal(cpio_dir(c, "bin", 0755), 0);
	assert_int_equal(cpio_chardev(c, "dev/console", 0600, 5, 1), 0);
	assert_int_equal(cpio_data(c, "init", 0755, "#!/bin/sh\n", 10), 0);
	assert_int_equal(cpio_symlink(c, "bin/sh", "busybox"), 0);
	assert_int_equal(cpio_file(c, "x", 0644, "/nonexistent"), -1);
	assert_int_equal(cpio_close(c), 0);

	gz = gzopen(path, "rb");
	assert_non_null(gz);
	n = gzread(gz, buf, sizeof(buf));
	gzclose(gz);
	assert_true(n > 0 && n % 4 == 0);
	/* entry 1: "bin", a directory */
	assert_memory_equal(buf, "070701", 6);
	assert_memory_equal(buf + 14, "000041ED", 8); /* S_IFDIR | 0755 */
	assert_memory_equal(buf + 94, "00000004", 8); /* namesize "bin\0" */
	assert_string_equal(buf + 110, "bin");
	/* entry 2 at 110 + 4 = 114 -> 116: dev/console, char 5:1 */
	assert_memory_equal(buf + 116, "070701", 6);
	assert_memory_equal(buf + 116 + 14, "00002180", 8); /* S_IFCHR | 0600 */
	assert_memory_equal(buf + 116 + 78, "00000005", 8); /* rdevmajor */
	assert_memory_equal(buf + 116 + 86, "00000001", 8); /* rdevminor */
	assert_string_equal(buf + 116 + 110, "dev/console");
	/* entry 3 at 116 + 110 + 12 = 238 -> 240: init, 10 bytes of data */
	assert_string_equal(buf + 240 + 110, "init");
	assert_memory_equal(buf + 240 + 54, "0000000A", 8);
	assert_memory_equal(buf + 240 + 116, "#!/bin/sh\n", 10); /* "init\0" padded */
	assert_non_null(memmem(buf, (size_t)n, "busybox", 7));
	assert_non_null(memmem(buf, (size_t)n, "TRAILER!!!", 10));
}

static void release_string(void **state)
{
	char path[PATH_MAX], rel[128], why[512];
	unsigned char img[0x400] = { 0 };

	snprintf(path, sizeof(path), "%s/vmlinuz", dir);
	write_text(path, "", 0);
	assert_int_equal(kimage_release(path, rel, sizeof(rel), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "empty file"));

	write_text(path, "not a kernel at all, just text long enough", 42);
	assert_int_equal(kimage_release(path, rel, sizeof(rel), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not an x86 bzImage"));

	memcpy(img + 0x202, "HdrS", 4);
	img[0x20e] = 0x00, img[0x20f] = 0x01; /* the string at 0x100 + 0x200 */
	strcpy((char *)img + 0x300, "6.1.0-50-amd64 (debian-kernel@lists.debian.org) #1 SMP");
	write_text(path, (char *)img, sizeof(img));
	assert_int_equal(kimage_release(path, rel, sizeof(rel), why, sizeof(why)), 0);
	assert_string_equal(rel, "6.1.0-50-amd64");
}

/* Feed @text to a console as qemu would have written it. */
static void console_says(struct console *c, const char *text)
{
	static char path[PATH_MAX];
	struct kernel k = { .name = "6.1" };
	struct guest_opts o = { .k = &k, .stall_s = 90 };
	struct guest_result r = { 0 };

	snprintf(path, sizeof(path), "%s/console.log", dir);
	write_text(path, text, strlen(text));
	*c = (struct console){ .fd = open(path, O_RDONLY), .nmi_cpu = -1 };
	assert_true(c->fd >= 0);
	console_poll(c, &o, &r, 0);
	close(c->fd);
}

/* The panic an NMI asks of a silent guest: where each CPU was, in few words. */
static void nmi_answer(void **state)
{
	struct kernel k = { .name = "6.1" };
	struct guest_opts o = { .k = &k, .stall_s = 90 };
	struct guest_result r = { 0 };
	struct console c;

	/* the hang that made guests run on one TCG thread (both vCPUs trapping on an
	 * int3 at kernel_clone+0x0 that was no longer in memory), as its console had it */
	console_says(&c, "herdlab-guest: model prefork 1 3\n"
			 "[   93.917021] Uhhuh. NMI received for unknown reason 21 on CPU 0.\n"
			 "[   93.917021] Kernel panic - not syncing: NMI: Not continuing\n"
			 "[   93.917021] RIP: 0010:asm_exc_int3+0x0/0x40\n"
			 "[   93.917021] RIP: 0010:kernel_clone+0x1/0x430\n"
			 "[   93.917021] NMI backtrace for cpu 0\n"
			 "[   93.917021] RIP: 0010:asm_exc_int3+0x0/0x40\n"
			 "[   93.938342] NMI backtrace for cpu 1\n"
			 "[   93.938342] RIP: 0010:exc_int3+0x0/0x120\n"
			 "[   93.938342] RIP: 0010:kernel_clone+0x1/0x430\n");
	assert_true(c.nmi);
	assert_string_equal(c.nmi_at,
			    "cpu 0 at asm_exc_int3+0x0/0x40, cpu 1 at exc_int3+0x0/0x120");
	assert_true(all_at_int3(c.nmi_at));
	console_stall_reason(&o, &r, &c, "herdlab-guest: model prefork 1 3");
	assert_string_equal(
		r.reason, "hang: no output from the guest for 90 s, not even its heartbeat, while "
			  "running prefork (last console line: herdlab-guest: model prefork 1 3); "
			  "an NMI found cpu 0 at asm_exc_int3+0x0/0x40, cpu 1 at "
			  "exc_int3+0x0/0x120: every CPU traps on a breakpoint the kernel has "
			  "patched away, which the emulator still runs (the stacks: console.log)");

	/* an idle guest: the second CPU's backtrace is skipped, and said so */
	console_says(
		&c,
		"[   32.4] Uhhuh. NMI received for unknown reason 21 on CPU 1.\n"
		"[   32.4] RIP: 0010:native_safe_halt+0xb/0x10\n"
		"[   32.4] NMI backtrace for cpu 0 skipped: idling at native_safe_halt+0xb/0x10\n"
		"[   32.4] NMI backtrace for cpu 1\n"
		"[   32.4] RIP: 0010:native_safe_halt+0xb/0x10\n");
	assert_string_equal(c.nmi_at, "cpu 1 at native_safe_halt+0xb/0x10, cpu 0 idle");
	assert_false(all_at_int3(c.nmi_at));

	/* a kernel that did not answer */
	console_says(&c, "herdlab-guest: model prefork 1 3\n");
	assert_false(c.nmi);
	console_stall_reason(&o, &r, &c, c.last);
	assert_non_null(strstr(r.reason, "; its kernel did not answer an NMI"));
}

static void init_script_words(void **state)
{
	const char *models[] = { "prefork", "prefork-epoll" };
	char *load[] = { "--clients", "1", "--path", "/size/1K" };
	struct kernel k = { .name = "6.1" };
	struct guest_opts o = {
		.k = &k, .models = models, .nmodels = 2, .load = load, .nload = 4, .workers = 8
	};
	char *s = init_script(&o);

	assert_non_null(s);
	assert_non_null(strstr(s, "for m in prefork prefork-epoll; do"));
	assert_non_null(strstr(s, "--workers 8 --clients 1 --path /size/1K --out \"/results/$m\""));
	assert_non_null(strstr(s, "HERDLAB-RESULTS-BEGIN $1 $size"));
	assert_non_null(strstr(s, "poweroff -f"));
	assert_null(strstr(s, "--attach"));
	/* alive every 20 s while a model runs; stopped past its share, at least 20 s */
	assert_non_null(strstr(s, "[ $((s % 20)) -ne 0 ] || say \"running $m $s\""));
	assert_non_null(strstr(s, "if [ $s -eq 20 ]; then"));
	assert_non_null(strstr(s, "[ $s -ne 30 ] || kill -KILL $pid"));
	free(s);
	o.timeout_s = 300; /* (300 - 60) / 2 models */
	assert_non_null(s = init_script(&o));
	assert_non_null(strstr(s, "if [ $s -eq 120 ]; then"));
	free(s);
	o.timeout_s = 0;

	/* a path asked for goes to every run; a benchmark's script replaces the study */
	o.attach = "fexit";
	assert_non_null(s = init_script(&o));
	assert_non_null(strstr(s, "--workers 8 --attach fexit --clients 1 --path /size/1K --out"));
	free(s);
	o.script = "/tmp/bench.sh";
	assert_non_null(s = init_script(&o));
	assert_null(strstr(s, "for m in"));
	assert_non_null(strstr(s, "(cd /results && sh /bin/guest-run) >/results/guest-run.log"));
	assert_non_null(strstr(s, "HERDLAB-RESULTS-BEGIN $1 $size"));
	free(s);

	assert_true(kernels_safe_word("--path"));
	assert_true(kernels_safe_word("/size/1K"));
	assert_false(kernels_safe_word("a;b"));
	assert_false(kernels_safe_word("$(x)"));
	assert_false(kernels_safe_word(""));
}

/* A run.json with the herd factor @hf, fairness @jain and switches per request @sw. */
static json_t *run_of(double hf, double jain, double sw)
{
	return json_pack("{s:{s:s}, s:{s:{s:f, s:f, s:f, s:{s:f}}, s:{s:f, s:f, s:f}}}", "kernel",
			 "preempt", "voluntary", "trace", "accept", "wakeups_per_accept", hf,
			 "wakeups", hf * 1000, "futile_wakeups", (hf - 1) * 1000, "fairness",
			 "jain", jain, "sched", "switches_per_request", sw, "switches", 100.0,
			 "involuntary", 10.0);
}

/* Two guests and the host, two models: what kmd_findings says of them. */
static char *findings_of(double excl_hf_610)
{
	static struct kresult kr[3];
	static const char *const names[] = { "host", "5.10", "6.1" };
	struct kernels_opts o = { .models = { "prefork-epoll", "prefork-epoll-exclusive" },
				  .nmodels = 2 };
	struct kmd d = { .o = &o, .kr = kr, .nk = 3 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	memset(kr, 0, sizeof(kr));
	for (int i = 0; i < 3; i++) {
		snprintf(kr[i].k.name, sizeof(kr[i].k.name), "%s", names[i]);
		kr[i].k.host = i == 0;
		kr[i].status = K_OK;
		kr[i].run[0] = run_of(7.9 - i * 0.5, 0.95, 3.0);
		kr[i].run[1] = run_of(i == 2 ? excl_hf_610 : 1.0, 0.6, 2.0);
	}
	assert_non_null(f);
	kmd_findings(f, &d);
	fclose(f);
	kresults_free(&o, kr, 3);
	return text;
}

static void findings_table(void **state)
{
	char *s = findings_of(1.0);

	/* prefork-epoll: lo >= 3, spread 7.9 / 6.9 < 1.15 */
	assert_non_null(strstr(s, "- **The herd is there on every kernel.** prefork-epoll (each "
				  "worker its own level-triggered epoll"));
	assert_non_null(strstr(s, "woke host 7.90, 5.10 7.40, 6.1 6.90 tasks per accepted"));
	assert_non_null(strstr(s, "; host 87%, 5.10 86%, 6.1 86% of those wakeups were futile"));
	assert_non_null(strstr(s, " The factor hardly moves between kernels (6.90 to 7.90).\n"));
	/* the exclusive row, its reduction over prefork-epoll, and its unfairness */
	assert_non_null(strstr(s, "- **EPOLLEXCLUSIVE** (Linux 4.5) holds it down on every "
				  "kernel: host 1.00, 5.10 1.00, 6.1 1.00 tasks per connection, "
				  "6.9 to 7.9 times fewer wakeups than without the flag. With"));
	assert_null(strstr(s, "Above 1"));
	assert_non_null(strstr(s, "- **EPOLLEXCLUSIVE is unfair:** Jain's index over the "
				  "workers' accepts host 0.60, 5.10 0.60, 6.1 0.60."));
	/* no model of the others ran: no sentence of theirs */
	assert_null(strstr(s, "Wake-one"));
	assert_null(strstr(s, "**SO_REUSEPORT**"));
	free(s);

	/* one guest above 1.5: the alternative row */
	s = findings_of(2.0);
	assert_null(strstr(s, "holds it down"));
	assert_non_null(strstr(s, "- **EPOLLEXCLUSIVE did not hold the herd down everywhere:** "
				  "host 1.00, 5.10 1.00, 6.1 2.00 tasks per connection, 3.5 to 7.9 "
				  "times fewer wakeups than without the flag.\n"));
	free(s);
}

/* A run.json as each path's run writes it: what it counted, and the path it took. */
static json_t *path_run(const char *path, double hf, int accepted, int established, int forks)
{
	return json_pack(
		"{s:{s:{s:i}}, s:{s:i, s:i}, s:{s:{s:s}, s:{s:f, s:i}, s:{s:i}, s:{s:i, s:i, "
		"s:{s:i, s:i, s:i}}}}",
		"client", "requests", "ok", accepted, "join", "requests", accepted,
		"requests_matched", accepted, "trace", "tracer", "attach", path, "accept",
		"wakeups_per_accept", hf, "accepted", accepted, "tcp", "established", established,
		"proc", "forks", forks, "exits", forks + 1, "reaped_by", "parent", forks, "init", 1,
		"auto", 0);
}

/* 5.10 (fexit refused) and 6.1 on both paths, one model: kernels.md's two paths. */
static char *paths_of(int fexit_established, int fexit_forks, double fexit_hf)
{
	static struct kresult kr[4];
	static const char *const names[] = { "5.10", "5.10", "6.1", "6.1" };
	struct kernels_opts o = { .models = { "prefork-epoll" }, .nmodels = 1, .both = true };
	struct kmd d = { .o = &o, .kr = kr, .nk = 4 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	memset(kr, 0, sizeof(kr));
	for (int i = 0; i < 4; i++) {
		snprintf(kr[i].k.name, sizeof(kr[i].k.name), "%s", names[i]);
		snprintf(kr[i].attach, sizeof(kr[i].attach), "%s", i % 2 ? "fexit" : "tracepoints");
		kresult_set_label(&kr[i], true);
		kr[i].status = K_OK;
	}
	kr[0].run[0] = path_run("tracepoints", 5.0, 997, 997, 8);
	kr[1].status = K_FAILED;
	snprintf(kr[1].reason, sizeof(kr[1].reason),
		 "prefork-epoll: " KRESULT_REFUSED "--attach fexit: needs Linux 5.15+");
	kr[2].run[0] = path_run("tracepoints", 5.0, 1009, 1009, 8);
	kr[3].run[0] = path_run("fexit", fexit_hf, 1013, fexit_established, fexit_forks);
	kmd_paths(f, &d);
	fclose(f);
	for (int i = 0; i < 4; i++)
		json_decref(kr[i].run[0]);
	return text;
}

static void paths_table(void **state)
{
	char *s = paths_of(1013, 8, 4.5);

	assert_string_equal(kresult_label(&(struct kresult){ .k.name = "6.1" }), "6.1");
	assert_non_null(strstr(s, "## The tracer's two paths"));
	assert_non_null(strstr(s,
			       "| 6.1 | prefork-epoll | tracepoints / fexit | 5.00 / 4.50 | "
			       "1009 / 1013 | 1009 / 1013 | 1009 / 1013 | 8 / 8 | 9 / 9 | 9 / 9 | "
			       "100.0% / 100.0% |"));
	assert_non_null(strstr(s, "| 5.10 | prefork-epoll | tracepoints / - | 5.00 / - |"));
	assert_non_null(strstr(s, "- **5.10 refuses fexit:** --attach fexit: needs Linux 5.15+. "
				  "There `--attach auto` takes the tracepoints: its "
				  "5.10/tracepoints runs are the only ones.\n"));
	assert_non_null(strstr(s, "- **Both paths ran on 6.1:** every run's tracer.attach is the "
				  "path it was asked for (2 runs).\n"));
	assert_non_null(strstr(s, "- **tracepoints: accepted = established** in all 2 runs, = the "
				  "client's requests; every request joined to its connection.\n"));
	assert_non_null(strstr(s, "- **fexit: accepted = established** in all 1 runs"));
	assert_non_null(strstr(s, "- **The same processes on both paths:** forks equal in all 1 "
				  "pairs, exits equal, reaps equal."));
	assert_non_null(strstr(s,
			       "- **The herd factor does not depend on the path:** the "
			       "tracepoints run's over the fexit run's, 6.1 prefork-epoll 1.11."));
	free(s);

	/* an established that differs, a fork fewer, a herd halved: said, with the numbers */
	s = paths_of(1012, 7, 2.5);
	assert_non_null(strstr(s, "- **fexit: accepted and established differ:** accepted - "
				  "established 6.1 prefork-epoll 1.\n"));
	assert_non_null(strstr(s, "- **Forks differ between the paths:** tracepoints over fexit "
				  "6.1 prefork-epoll 1.14.\n"));
	assert_non_null(strstr(s, "- **The herd factors differ between the paths** by more than a "
				  "third: the tracepoints run's over the fexit run's, 6.1 "
				  "prefork-epoll 2.00."));
	assert_null(strstr(s, "The same processes"));
	free(s);
}

static void kernels_json_round_trip(void **state)
{
	static struct kresult kr[2], back[MAX_KERNELS];
	volatile sig_atomic_t stop = 0;
	struct kernels_opts o = { .models = { "prefork" },
				  .nmodels = 1,
				  .load = { "--clients", "2" },
				  .nload = 2,
				  .workers = 4,
				  .timeout_s = 100,
				  .boot_timeout_s = 50,
				  .attach_arg = "both",
				  .both = true,
				  .stop = &stop };
	struct kernels_opts r = { .stop = &stop };
	char started[32], path[PATH_MAX];

	snprintf(kr[0].k.name, sizeof(kr[0].k.name), "6.1");
	snprintf(kr[0].k.dir, sizeof(kr[0].k.dir), "6.1-fexit");
	snprintf(kr[0].attach, sizeof(kr[0].attach), "fexit");
	snprintf(kr[0].k.package, sizeof(kr[0].k.package), "linux-image-6.1.0-50-amd64");
	snprintf(kr[0].qemu_cmd, sizeof(kr[0].qemu_cmd), "qemu-system-x86_64 -m 1024");
	kr[0].status = K_PARTIAL;
	kr[0].boot_s = 7.5;
	kr[0].duration_s = 60;
	snprintf(kr[0].model_reason[0], sizeof(kr[0].model_reason[0]), "probe load failure: x");
	snprintf(kr[1].k.name, sizeof(kr[1].k.name), "host");
	snprintf(kr[1].k.dir, sizeof(kr[1].k.dir), "host");
	kr[1].k.host = true;
	kr[1].status = K_NOT_RUN;
	kr[1].boot_s = -1;
	kjson_save(&o, kr, 2, dir, "2026-01-01T00:00:00Z", NULL);

	assert_int_equal(kjson_load(dir, &r, back, MAX_KERNELS, started, sizeof(started)), 2);
	assert_string_equal(started, "2026-01-01T00:00:00Z");
	assert_int_equal(r.nmodels, 1);
	assert_string_equal(r.models[0], "prefork");
	assert_string_equal(r.load_arg, "--clients 2");
	assert_int_equal(r.workers, 4);
	assert_true(r.timeout_s == 100 && r.boot_timeout_s == 50);
	assert_string_equal(back[0].k.package, "linux-image-6.1.0-50-amd64");
	assert_true(r.both && !strcmp(r.attach_arg, "both"));
	assert_string_equal(back[0].attach, "fexit");
	assert_string_equal(back[0].label, "6.1/fexit");
	assert_string_equal(back[1].attach, "auto"); /* none recorded: a record from before */
	assert_string_equal(back[0].qemu_cmd, "qemu-system-x86_64 -m 1024");
	assert_int_equal(back[0].status, K_PARTIAL);
	assert_false(back[0].k.host);
	assert_true(back[0].boot_s == 7.5 && back[0].duration_s == 60);
	assert_null(back[0].run[0]); /* no run directory in @dir */
	assert_string_equal(back[0].model_reason[0], "probe load failure: x");
	assert_int_equal(back[1].status, K_NOT_RUN);
	assert_true(back[1].k.host && back[1].boot_s == -1);

	/* --report-only writes the record back as it was, with the new comparison */
	json_t *cmp = json_pack("{s:s}", "error", "none here");
	kjson_save(&r, back, 2, dir, started, cmp);
	json_decref(cmp);
	json_decref(r.original);
	snprintf(path, sizeof(path), "%s/kernels.json", dir);
	json_t *j = json_load_file(path, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(jsonio_get_path(j, "comparison.error")), "none here");
	assert_non_null(jsonio_get_path(j, "report_rewritten.date"));
	assert_string_equal(
		json_string_value(jsonio_get_path(j, "kernels.0.models.prefork.reason")),
		"probe load failure: x");
	assert_true(json_is_null(jsonio_get_path(j, "kernels.1.duration_s")));
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_vectors),  cmocka_unit_test(base64),
		cmocka_unit_test(results_channel), cmocka_unit_test(initramfs),
		cmocka_unit_test(release_string),  cmocka_unit_test(init_script_words),
		cmocka_unit_test(nmi_answer),	   cmocka_unit_test(findings_table),
		cmocka_unit_test(paths_table),	   cmocka_unit_test(kernels_json_round_trip),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
