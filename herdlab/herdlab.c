/* SPDX-License-Identifier: MIT */
/*
 * herdlab - the tracer and everything around it, one command per verb.
 *
 *	herdlab trace [options] -- CMD ARGS     trace a server it starts
 *	herdlab trace --pid PID [options]       trace a running server
 *	herdlab run --model NAME [options]      a model, traced, under a load
 *	herdlab report DIR                      one run directory, explained
 *	herdlab compare DIR...                  several runs side by side
 *	herdlab kernels [options]               the herd study on other kernels (qemu)
 *	herdlab study [options]                 the source documents' experiments, reproduced
 *	herdlab models                          the server models, one line each
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "spawn.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: herdlab COMMAND [options]\n"
		"\n"
		"commands:\n"
		"  run      a model, traced, under a load, into a run directory (--help)\n"
		"  trace    trace a server's kernel events (herdlab trace --help)\n"
		"  kernels  the herd study on several kernels, under qemu (--help)\n"
		"  study    the source documents' experiments, reproduced and explained (--help)\n"
		"  report   one run directory, explained (text, md, html, json)\n"
		"  compare  several run directories side by side\n"
		"  models   list the server models\n");
}

/* herdsrv's own list, from the herdsrv installed beside this herdlab. */
static int cmd_models(int argc, char **argv)
{
	int code = spawn_run(&(struct spawn){ .argv = (char *const[]){ "herdsrv", "--list", NULL },
					      .sibling = true },
			     NULL);

	return code < 0 ? 1 : code;
}

int main(int argc, char **argv)
{
	log_init("herdlab");
	/* A closed pipe (| head, gnuplot failing) is an error to report, not death. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "trace"))
		return cmd_trace(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compare"))
		return cmd_compare(argc - 1, argv + 1);
	if (!strcmp(argv[1], "kernels"))
		return cmd_kernels(argc - 1, argv + 1);
	if (!strcmp(argv[1], "study"))
		return cmd_study(argc - 1, argv + 1);
	if (!strcmp(argv[1], "models"))
		return cmd_models(argc - 1, argv + 1);
	fprintf(stderr, "herdlab: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
