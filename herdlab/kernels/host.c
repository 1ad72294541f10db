/* SPDX-License-Identifier: MIT */
/*
 * host.c - the host as one kernel of the matrix (matrix.h): this herdlab's own
 * `herdlab run` for each model (with the entry's --attach), natively, each into its run directory with its
 * output in MODEL.log, all within the kernel's --timeout.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "kernels/matrix.h"
#include "progress.h"
#include "path.h"
#include "spawn.h"

int host_run(const struct kernels_opts *o, struct kresult *kr, const char *stage)
{
	char self[PATH_MAX], dir[PATH_MAX + 64], log[PATH_MAX + 64], workers[16];
	char *argv[KERNELS_MAX_LOAD + 16];
	uint64_t start = clock_now_ns(), deadline = start + (uint64_t)(o->timeout_s * 1e9);

	if (path_self_exe(self, sizeof(self)) < 0) {
		snprintf(kr->reason, sizeof(kr->reason), "cannot find this herdlab: %m");
		return -1;
	}
	snprintf(workers, sizeof(workers), "%d", o->workers);
	for (int m = 0; m < o->nmodels && !*o->stop; m++) {
		int a = 0;
		bool timed_out;
		progress_say("host: %s (%d/%d)", o->models[m], m + 1, o->nmodels);
		pathf(dir, "%s/%s", stage, o->models[m]);
		pathf(log, "%s/%s.log", stage, o->models[m]);
		argv[a++] = self;
		argv[a++] = "run";
		argv[a++] = "--model";
		argv[a++] = (char *)o->models[m];
		argv[a++] = "--workers";
		argv[a++] = workers;
		if (strcmp(kr->attach, "auto")) {
			argv[a++] = "--attach";
			argv[a++] = kr->attach;
		}
		for (int i = 0; i < o->nload; i++)
			argv[a++] = o->load[i];
		argv[a++] = "--out";
		argv[a++] = dir;
		argv[a] = NULL;
		pid_t pid = spawn_start(&(struct spawn){ .argv = argv,
							 .out = "/dev/null",
							 .err = log,
							 .own_group = true,
							 .death_sig = SIGTERM });
		if (pid < 0)
			continue;
		spawn_wait(pid, o->stop, deadline, &timed_out);
		if (timed_out) {
			snprintf(kr->reason, sizeof(kr->reason),
				 "hang: timed out after %.0f s while running %s", o->timeout_s,
				 o->models[m]);
			break;
		}
	}
	kr->duration_s = (double)(clock_now_ns() - start) / 1e9;
	return kr->reason[0] ? -1 : 0;
}
