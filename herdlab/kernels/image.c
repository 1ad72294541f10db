/* SPDX-License-Identifier: MIT */
/*
 * image.c - a kernel image's own word on its release (kernels.h), read from the
 * bzImage itself, whichever way the image came (a Debian package, a path).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernels/kernels.h"

/*
 * The boot protocol's setup header (Documentation/arch/x86/boot.rst): "HdrS" at
 * 0x202; at 0x20e a pointer (minus 0x200) to the NUL-terminated version string,
 * "6.1.0-50-amd64 (debian-kernel@...) #1 SMP ...".
 */
int kimage_release(const char *path, char *release, size_t len, char *why, size_t whylen)
{
	unsigned char hdr[0x210];
	char ver[256];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		snprintf(why, whylen, "cannot open %s: %m", path);
		return -1;
	}
	if (fstat(fd, &st) == 0 && st.st_size == 0) {
		close(fd);
		snprintf(why, whylen, "%s is an empty file, not a kernel image", path);
		return -1;
	}
	n = pread(fd, hdr, sizeof(hdr), 0);
	if (n < (ssize_t)sizeof(hdr) || memcmp(hdr + 0x202, "HdrS", 4)) {
		close(fd);
		snprintf(why, whylen, "%s is not an x86 bzImage (no boot protocol header)", path);
		return -1;
	}
	uint16_t off = (uint16_t)(hdr[0x20e] | hdr[0x20f] << 8);
	n = off ? pread(fd, ver, sizeof(ver) - 1, (off_t)off + 0x200) : -1;
	close(fd);
	if (n <= 0) {
		snprintf(why, whylen, "%s has no kernel version string", path);
		return -1;
	}
	ver[n] = 0;
	ver[strcspn(ver, " ")] = 0;
	if (!kernels_safe_word(ver)) {
		snprintf(why, whylen, "%s has an unreadable kernel version string", path);
		return -1;
	}
	snprintf(release, len, "%s", ver);
	return 0;
}
