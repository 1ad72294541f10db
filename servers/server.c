/* SPDX-License-Identifier: MIT */
/*
 * server.c - setting up what every model shares, and the few calls models make
 * back into the server (their own listeners, announce readiness, close the
 * listener, grace deadline). Listeners are opened as the model's table entry
 * says (models.h), and no model changes that for its own loop (uring's shed()
 * alone makes its blocking listener non-blocking for one accept, and back).
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "models.h"
#include "net.h"
#include "pattern.h"
#include "server.h"

/* The /size pattern, once, in a sealed memfd that every worker shares. */
int server_init_pattern(struct server *srv)
{
	int fd = memfd_create("herdsrv-pattern", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	char chunk[PATTERN_PERIOD * 256];
	void *map;

	if (fd < 0)
		return -1;
	pattern_fill(chunk, sizeof(chunk), 0);
	for (size_t off = 0; off < PATTERN_BLOCK; off += sizeof(chunk)) {
		if (pwrite(fd, chunk, sizeof(chunk), (off_t)off) != (ssize_t)sizeof(chunk))
			goto fail;
	}
	/* Written through write(2), so no writable mapping stands in the way of the seals. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		goto fail;
	/* MAP_PRIVATE: before Linux 6.7 a write-sealed memfd refuses shared mappings (EPERM) */
	map = mmap(NULL, PATTERN_BLOCK, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		goto fail;
	srv->pattern_fd = fd;
	srv->pattern_map = map;
	return 0;
fail:
	close(fd);
	return -1;
}

/* The net_listen() flags that the model's table entry asks for. */
static unsigned listen_flags(const struct server *srv)
{
	return (srv->model->flags & MODEL_NONBLOCK_LISTENER) ? NET_NONBLOCK : 0;
}

int server_listen(struct server *srv)
{
	int fd;

	if (srv->model->flags & MODEL_OWN_LISTENERS)
		/* Each worker listens itself; hold the port meanwhile (bound, not listening). */
		fd = net_listen(srv->bind_addr, srv->port, srv->backlog,
				NET_REUSEPORT | NET_NO_LISTEN);
	else
		fd = net_listen(srv->bind_addr, srv->port, srv->backlog, listen_flags(srv));
	if (fd < 0)
		return -1;
	srv->port = (uint16_t)net_local_port(fd);
	if (srv->model->flags & MODEL_OWN_LISTENERS)
		srv->reserve_fd = fd;
	else
		srv->listen_fd = fd;
	return 0;
}

int server_listen_own(struct server *srv)
{
	int fd = net_listen(srv->bind_addr, srv->port, srv->backlog,
			    NET_REUSEPORT | listen_flags(srv));

	if (fd >= 0 && srv->reserve_fd >= 0) {
		close(srv->reserve_fd); /* the parent's copy keeps holding the port */
		srv->reserve_fd = -1;
	}
	return fd;
}

void server_ready(const struct server *srv)
{
	char addr[64];
	struct sockaddr_storage ss;
	socklen_t len;

	net_parse_addr(srv->bind_addr, srv->port, &ss, &len);
	printf("listening on %s\n", net_addr_str((struct sockaddr *)&ss, addr, sizeof(addr)));
	fflush(stdout);
	log_info("model %s ready on port %u (pid %d)", srv->model->name, srv->port, (int)getpid());
}

void server_close_listener(struct server *srv)
{
	if (srv->listen_fd >= 0)
		shutdown(srv->listen_fd, SHUT_RDWR);
}

uint64_t server_grace_deadline(const struct server *srv)
{
	return clock_now_ns() + srv->grace_s * NSEC_PER_SEC;
}
