/* SPDX-License-Identifier: MIT */
/*
 * waitstatus.h - a child's end in words, for messages a person reads.
 *
 * A raw wait status ("status 0x200") means something only to someone who
 * decodes it by hand; every message about a child that ended says instead
 * "exited with status 2" or "killed by SIGSEGV (core dumped)".
 */
#ifndef HERD_WAITSTATUS_H
#define HERD_WAITSTATUS_H

#include <stddef.h>

/*
 * @status (from waitpid(); -1: it could not be waited for) in words into @buf:
 * "exited with status 2", "killed by SIGSEGV", "killed by SIGABRT (core
 * dumped)", "stopped by SIGSTOP". Returns @buf.
 */
const char *waitstatus_str(int status, char *buf, size_t len);

/* "SIGSEGV" for 11 ("signal 77" for one without a name) into @buf; returns @buf. */
const char *waitstatus_signame(int sig, char *buf, size_t len);

#endif
