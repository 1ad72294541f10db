/* SPDX-License-Identifier: MIT */
/*
 * runask.c - herdlab run's questions to herdsrv and herdload (runask.h).
 *
 * Each question runs the program beside herdlab (spawn.h's .sibling) to its
 * end and reads what it printed: `--options` for its getopt table
 * (lib/optlist.h), `herdsrv --list` for the models, and `--check` with the
 * run's options for whether the values are good. The programs own their
 * options, so herdlab run keeps no copy of what they take or allow: it asks,
 * and says what they answered.
 */
#include "session/runask.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "optlist.h"
#include "spawn.h"
#include "suggest.h"
#include "waitstatus.h"

/*
 * Run @argv (a program beside herdlab) to its end, its stdout (and with
 * @with_err its stderr) into @out; its wait status, or -1 if it could not run.
 */
static int capture(char *const *argv, bool with_err, struct strbuf *out)
{
	char buf[4096];
	ssize_t n;
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0) {
		log_warn("pipe2() failed: %m");
		return -1;
	}
	/* "/dev/stdout" is opened in the child after its stdout became the pipe. */
	pid_t pid = spawn_start(&(struct spawn){ .argv = argv,
						 .sibling = true,
						 .out_fd = fds[1],
						 .err = with_err ? "/dev/stdout" : NULL });
	close(fds[1]);
	while (pid > 0 && ((n = read(fds[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			strbuf_addf(out, "%.*s", (int)n, buf);
	close(fds[0]);
	if (pid < 0)
		return -1;
	return spawn_wait(pid, NULL, clock_now_ns() + 10 * NSEC_PER_SEC, NULL);
}

/* @prog's table, from `PROG --options` run beside herdlab; NULL (logged) if it cannot say. */
struct option *runask_options(const char *prog)
{
	struct strbuf text = { 0 };
	struct option *opts = NULL;
	size_t count;
	char how[64];

	int status = capture((char *const[]){ (char *)prog, "--options", NULL }, false, &text);
	if (spawn_code(status) == 0 && !text.oom)
		opts = optlist_parse(text.s ? text.s : "", &count);
	if (!opts)
		log_warn("%s --options did not give its option table (it %s)", prog,
			 waitstatus_str(status, how, sizeof(how)));
	strbuf_free(&text);
	return opts;
}

/* --model against `herdsrv --list`: an unknown one exits 2, with the nearest name. */
void runask_model(const char *model)
{
	struct strbuf list = { 0 };
	struct vec names = VEC_INIT(char *);
	char how[64];

	int status = capture((char *const[]){ "herdsrv", "--list", NULL }, false, &list);
	if (spawn_code(status) != 0 || !list.s)
		die("cannot list the models with herdsrv --list (it %s)",
		    waitstatus_str(status, how, sizeof(how)));
	for (char *line = strtok(list.s, "\n"); line; line = strtok(NULL, "\n")) {
		char **slot = vec_push(&names);
		if (!slot)
			die("out of memory");
		line[strcspn(line, " \t")] = 0; /* "NAME   summary" */
		*slot = line;
	}
	for (size_t i = 0; i < names.len; i++)
		if (!strcmp(*(char **)vec_at(&names, i), model))
			goto known;
	const char *near = suggest_nearest(model, names.data, names.len);
	if (near) {
		fprintf(stderr,
			"herdlab run: unknown model '%s': did you mean %s? (herdlab models "
			"lists them)\n",
			model, near);
	} else {
		fprintf(stderr, "herdlab run: unknown model '%s'; the models are:", model);
		for (size_t i = 0; i < names.len; i++)
			fprintf(stderr, "%s %s", i ? "," : "", *(char **)vec_at(&names, i));
		fprintf(stderr, "\n");
	}
	exit(2);
known:
	vec_free(&names);
	strbuf_free(&list);
}

/* "herdsrv[123]: invalid ..." as "herdsrv: invalid ...": the pid of a check means nothing. */
static const char *without_pid(char *line, const char *prog)
{
	size_t n = strlen(prog), digits;

	if (strncmp(line, prog, n) || line[n] != '[')
		return line;
	digits = strspn(line + n + 1, "0123456789");
	if (!digits || strncmp(line + n + 1 + digits, "]:", 2))
		return line;
	memmove(line + n, line + n + 1 + digits + 1, strlen(line + n + 1 + digits + 1) + 1);
	return line;
}

/*
 * `@prog --check @head... @args...`: the program parses and validates the
 * options as it would for the run, and exits. A refusal exits 2 here, with
 * what the program said (its own message names the option and what it takes).
 */
void runask_values(const char *prog, char *const *head, size_t nhead, const struct vec *args)
{
	struct strbuf said = { 0 };
	char **argv = calloc(2 + nhead + args->len + 1, sizeof(*argv));
	char how[64];

	if (!argv)
		die("out of memory");
	argv[0] = (char *)prog;
	argv[1] = "--check";
	memcpy(argv + 2, head, nhead * sizeof(*argv));
	for (size_t i = 0; i < args->len; i++)
		argv[2 + nhead + i] = *(char **)vec_at(args, i);
	int status = capture(argv, true, &said);
	free(argv);
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		strbuf_free(&said); /* its warnings come again from the run itself */
		return;
	}
	if (said.s && said.len) {
		for (char *line = strtok(said.s, "\n"); line; line = strtok(NULL, "\n"))
			fprintf(stderr, "herdlab run: %s\n", without_pid(line, prog));
	} else {
		fprintf(stderr, "herdlab run: %s --check %s\n", prog,
			waitstatus_str(status, how, sizeof(how)));
	}
	exit(2);
}
