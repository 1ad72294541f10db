/* SPDX-License-Identifier: MIT */
/*
 * readbody.h - --send read: a response's body read whole into user memory, then
 * written from there, the way the file-server study's Lua server served files.
 *
 * By default a /size or /files body goes out with sendfile(2): the kernel copies from
 * the page cache (or the pattern memfd) into the socket, and the server never holds
 * the bytes. --send read does what a server written without sendfile does: malloc a
 * buffer the size of the body, read(2) the file (or the pattern) into it, and write()
 * it out with the head. The body is then resident in the server's own memory, once per
 * connection being answered, which is what server.memory_peak_bytes (the cgroup's)
 * measures and what --mem-limit can run out of: a body that does not fit gets the
 * worker killed by the cgroup's OOM killer, or (malloc or read failing) a 500.
 */
#ifndef HERD_READBODY_H
#define HERD_READBODY_H

struct response;

/*
 * Replace @r's file or pattern body by a copy in malloc'ed memory (r->mem, freed with
 * the response). 0; or -1 with the file closed and the body gone (counted in
 * read_failures), for the caller to answer 500 instead.
 */
int readbody_into_memory(struct response *r);

#endif
