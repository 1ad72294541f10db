/* SPDX-License-Identifier: MIT */
/*
 * log.h - messages on stderr, prefixed with the program's name.
 *
 * Errors name the call that failed and the errno, nginx style:
 *	log_warn("epoll_wait() failed: %m");
 * glibc's %m expands to strerror(errno).
 */
#ifndef HERD_LOG_H
#define HERD_LOG_H

#include <stdbool.h>

void log_init(const char *prog);
const char *log_prog(void);
void log_set_quiet(bool quiet);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
