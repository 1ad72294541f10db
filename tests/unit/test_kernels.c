/* SPDX-License-Identifier: MIT */
/*
 * test_kernels.c - the pieces of herdlab kernels that need no guest: SHA-256,
 * the results channel (base64 between markers, checked against its digest),
 * the initramfs writer, a bzImage's release string, and the guest's /init.
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

#include "kernels/guest.c" /* its static functions: b64_decode, take_results, init_script */

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
	free(s);

	assert_true(kernels_safe_word("--path"));
	assert_true(kernels_safe_word("/size/1K"));
	assert_false(kernels_safe_word("a;b"));
	assert_false(kernels_safe_word("$(x)"));
	assert_false(kernels_safe_word(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_vectors),  cmocka_unit_test(base64),
		cmocka_unit_test(results_channel), cmocka_unit_test(initramfs),
		cmocka_unit_test(release_string),  cmocka_unit_test(init_script_words),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
