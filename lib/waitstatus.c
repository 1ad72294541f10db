/* SPDX-License-Identifier: MIT */
/* waitstatus.c - a child's end in words (waitstatus.h). */
#include "waitstatus.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

const char *waitstatus_signame(int sig, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "signal %d", sig);
	return buf;
}

const char *waitstatus_str(int status, char *buf, size_t len)
{
	char sig[24];

	if (status == -1)
		snprintf(buf, len, "could not be waited for");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by %s%s",
			 waitstatus_signame(WTERMSIG(status), sig, sizeof(sig)),
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else if (WIFSTOPPED(status))
		snprintf(buf, len, "stopped by %s",
			 waitstatus_signame(WSTOPSIG(status), sig, sizeof(sig)));
	else
		snprintf(buf, len, "ended with wait status %#x", (unsigned)status);
	return buf;
}
