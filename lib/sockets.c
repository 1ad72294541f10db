/* SPDX-License-Identifier: MIT */
/* sockets.c - the TCP ports a running process listens on (sockets.h). */
#include "sockets.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vec.h"

#define TCP_LISTEN 0x0A /* the state column of /proc/net/tcp for LISTEN */

/* The inodes of @pid's sockets into @inodes (unsigned long); 0, or -errno. */
static int socket_inodes(pid_t pid, struct vec *inodes)
{
	char dir[64], link[320], target[64];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	if (!(d = opendir(dir)))
		return -errno;
	while ((de = readdir(d))) {
		unsigned long ino, *slot;
		ssize_t n;
		if (de->d_name[0] == '.' ||
		    snprintf(link, sizeof(link), "%s/%s", dir, de->d_name) >= (int)sizeof(link))
			continue;
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		if (sscanf(target, "socket:[%lu]", &ino) != 1)
			continue;
		if (!(slot = vec_push(inodes))) {
			closedir(d);
			return -ENOMEM;
		}
		*slot = ino;
	}
	closedir(d);
	return 0;
}

static bool held(const struct vec *inodes, unsigned long ino)
{
	for (size_t i = 0; i < inodes->len; i++)
		if (*(unsigned long *)vec_at(inodes, i) == ino)
			return true;
	return false;
}

/* Add @port to @ports[0..*n) unless it is there; *n counts past @cap. */
static void add_port(uint16_t *ports, size_t cap, size_t *n, uint16_t port)
{
	for (size_t i = 0; i < *n && i < cap; i++)
		if (ports[i] == port)
			return;
	if (*n < cap)
		ports[*n] = port;
	(*n)++;
}

int sockets_listening_ports(pid_t pid, uint16_t *ports, size_t cap)
{
	static const char *const tables[] = { "tcp", "tcp6" };
	struct vec inodes = VEC_INIT(unsigned long);
	size_t n = 0;
	int err = socket_inodes(pid, &inodes);

	for (size_t t = 0; !err && t < 2 && inodes.len; t++) {
		char path[64], line[512];
		snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, tables[t]);
		FILE *f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f)) {
			unsigned port, state;
			unsigned long ino;
			/* sl local_address(ADDR:PORT) rem_address st tx:rx tr:when retr uid timeout inode */
			if (sscanf(line,
				   " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*x:%*x %*x:%*x "
				   "%*x "
				   "%*u %*u %lu",
				   &port, &state, &ino) == 3 &&
			    state == TCP_LISTEN && held(&inodes, ino))
				add_port(ports, cap, &n, (uint16_t)port);
		}
		if (f)
			fclose(f);
	}
	vec_free(&inodes);
	return err ? err : (int)n;
}
