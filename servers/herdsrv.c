/* SPDX-License-Identifier: MIT */
/*
 * herdsrv - every classic server model in one binary.
 *
 *	herdsrv --model NAME [options]
 *	herdsrv --list
 *
 * main() turns the options into a struct server, sets up what every model shares
 * (signal handlers, the listener, the /size pattern, the docroot, the --stats
 * table, the shared counters) and hands over to the model's run(). When run() returns, every worker
 * has been stopped and reaped; main writes --stats and --counters and exits with run()'s status.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accept.h"
#include "client_stats.h"
#include "clock.h"
#include "counters.h"
#include "files.h"
#include "http.h"
#include "log.h"
#include "models.h"
#include "optlist.h"
#include "net.h"
#include "pattern.h"
#include "proc.h"
#include "server.h"

#define STATS_CAPACITY 65536 /* distinct client addresses */

static void usage(FILE *f)
{
	fprintf(f, "usage: herdsrv --model NAME [options]\n"
		   "       herdsrv --list\n"
		   "       herdsrv --options    its long options, one a line (for herdlab run)\n"
		   "       herdsrv --check --model NAME [options]   check them, start nothing:\n"
		   "                            exit 0 if they are good (herdlab run asks first)\n"
		   "\n"
		   "common options:                                                [default]\n"
		   "  --port P            0 picks a free port, printed on stdout       [0]\n"
		   "  --bind ADDR         address to listen on                 [127.0.0.1]\n"
		   "  --workers N         processes or threads in a pool               [8]\n"
		   "                      (prefork-dynamic: its starting size)\n"
		   "  --backlog N         listen(2) backlog                         [1024]\n"
		   "  --docroot DIR       directory served under /files/\n"
		   "  --read-timeout SEC  a request must arrive within SEC, else 408  [10]\n"
		   "  --grace SEC         time in-flight requests get at shutdown      [5]\n"
		   "  --max-conns N       shed connections beyond N with 503 (0: none) [0]\n"
		   "  --max-body BYTES    largest POST /echo body (K, M suffixes)     [1M]\n"
		   "  --stats FILE        per-client requests and bytes, CSV, at exit\n"
		   "  --send MODE         how /size and /files bodies go out  [sendfile]\n"
		   "                      sendfile: from the page cache; read: read whole\n"
		   "                      into malloc'ed memory, then write() it\n"
		   "  --counters FILE     refused, shed, failed forks/threads, replaced\n"
		   "                      workers (and the pool's figures), JSON, at exit\n"
		   "  --pool-log FILE     prefork-dynamic: idle/busy/total at each change, CSV\n"
		   "  --quiet             no informational messages on stderr\n"
		   "model options:\n"
		   "  --reap none|sigchld|ignore  fork: how children are reaped [sigchld]\n"
		   "  --trigger level|edge        epoll: how readiness is reported [level]\n"
		   "  --exclusive                 epoll-threads: EPOLLEXCLUSIVE\n"
		   "  --min-idle N                prefork-dynamic: fewest idle children [2]\n"
		   "  --max-idle N                prefork-dynamic: most idle children   [5]\n"
		   "  --max-children N            prefork-dynamic: pool ceiling        [64]\n"
		   "  --max-requests N            prefork-dynamic: per child (0: none) [10000]\n");
}

static void list_models(void)
{
	for (const struct model *m = server_models; m->name; m++)
		printf("%-24s %s\n", m->name, m->summary);
}

/* A whole number in [min, max], or die naming the option. */
static unsigned long parse_num(const char *opt, const char *s, unsigned long min, unsigned long max)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);

	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		die("invalid %s '%s': expected a whole number from %lu to %lu", opt, s, min, max);
	return v;
}

/* Seconds, fractions allowed, as nanoseconds. */
static uint64_t parse_seconds(const char *opt, const char *s, double max)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);

	if (errno || end == s || *end || !(v > 0) || v > max)
		die("invalid %s '%s': expected seconds, more than 0 and at most %g", opt, s, max);
	return (uint64_t)(v * 1e9);
}

enum {
	OPT_LIST = 256,
	OPT_MODEL,
	OPT_PORT,
	OPT_BIND,
	OPT_WORKERS,
	OPT_BACKLOG,
	OPT_DOCROOT,
	OPT_READ_TIMEOUT,
	OPT_GRACE,
	OPT_MAX_CONNS,
	OPT_MAX_BODY,
	OPT_STATS,
	OPT_SEND,
	OPT_COUNTERS,
	OPT_POOL_LOG,
	OPT_REAP,
	OPT_TRIGGER,
	OPT_EXCLUSIVE,
	OPT_MIN_IDLE,
	OPT_MAX_IDLE,
	OPT_MAX_CHILDREN,
	OPT_MAX_REQUESTS,
	OPT_QUIET,
	OPT_OPTIONS,
	OPT_CHECK,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{ "list", no_argument, 0, OPT_LIST },
	{ "model", required_argument, 0, OPT_MODEL },
	{ "port", required_argument, 0, OPT_PORT },
	{ "bind", required_argument, 0, OPT_BIND },
	{ "workers", required_argument, 0, OPT_WORKERS },
	{ "backlog", required_argument, 0, OPT_BACKLOG },
	{ "docroot", required_argument, 0, OPT_DOCROOT },
	{ "read-timeout", required_argument, 0, OPT_READ_TIMEOUT },
	{ "grace", required_argument, 0, OPT_GRACE },
	{ "max-conns", required_argument, 0, OPT_MAX_CONNS },
	{ "max-body", required_argument, 0, OPT_MAX_BODY },
	{ "stats", required_argument, 0, OPT_STATS },
	{ "send", required_argument, 0, OPT_SEND },
	{ "counters", required_argument, 0, OPT_COUNTERS },
	{ "pool-log", required_argument, 0, OPT_POOL_LOG },
	{ "reap", required_argument, 0, OPT_REAP },
	{ "trigger", required_argument, 0, OPT_TRIGGER },
	{ "exclusive", no_argument, 0, OPT_EXCLUSIVE },
	{ "min-idle", required_argument, 0, OPT_MIN_IDLE },
	{ "max-idle", required_argument, 0, OPT_MAX_IDLE },
	{ "max-children", required_argument, 0, OPT_MAX_CHILDREN },
	{ "max-requests", required_argument, 0, OPT_MAX_REQUESTS },
	{ "quiet", no_argument, 0, OPT_QUIET },
	{ "options", no_argument, 0, OPT_OPTIONS },
	{ "check", no_argument, 0, OPT_CHECK },
	{ "help", no_argument, 0, OPT_HELP },
	{ 0, 0, 0, 0 },
};

/* Which model-specific options were given, to warn about those the model ignores. */
struct given {
	bool reap, trigger, exclusive, dynamic, pool_log;
	bool check; /* --check: validate the options and the paths they name, then exit 0 */
};

static void parse_args(int argc, char **argv, struct server *srv, struct given *g)
{
	int opt;

	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_LIST:
			list_models();
			exit(0);
		case OPT_OPTIONS: /* the table itself, so herdlab run passes on what we parse */
			optlist_print(stdout, long_opts);
			exit(0);
		case OPT_HELP:
			usage(stdout);
			exit(0);
		case OPT_CHECK:
			g->check = true;
			break;
		case OPT_MODEL:
			srv->model = model_find(optarg);
			if (!srv->model) {
				fprintf(stderr, "herdsrv: unknown model '%s'; the models are:\n",
					optarg);
				list_models();
				exit(2);
			}
			break;
		case OPT_PORT:
			srv->port = (uint16_t)parse_num("--port", optarg, 0, 65535);
			break;
		case OPT_BIND:
			srv->bind_addr = optarg;
			break;
		case OPT_WORKERS:
			srv->workers = (int)parse_num("--workers", optarg, 1, 4096);
			break;
		case OPT_BACKLOG:
			srv->backlog = (int)parse_num("--backlog", optarg, 1, 1 << 20);
			break;
		case OPT_DOCROOT:
			srv->docroot = optarg;
			break;
		case OPT_READ_TIMEOUT:
			srv->read_timeout_ns = parse_seconds("--read-timeout", optarg, 3600);
			break;
		case OPT_GRACE:
			srv->grace_s = (unsigned)parse_num("--grace", optarg, 0, 3600);
			break;
		case OPT_MAX_CONNS:
			srv->max_conns = (unsigned)parse_num("--max-conns", optarg, 0, 1 << 24);
			break;
		case OPT_MAX_BODY:
			if (http_parse_size(optarg, strlen(optarg), 1ULL << 30, &srv->max_body) < 0)
				die("invalid --max-body '%s': bytes up to 1G expected", optarg);
			break;
		case OPT_STATS:
			srv->stats_path = optarg;
			break;
		case OPT_SEND:
			if (strcmp(optarg, "read") && strcmp(optarg, "sendfile"))
				die("invalid --send '%s': expected read or sendfile", optarg);
			srv->send_read = !strcmp(optarg, "read");
			break;
		case OPT_COUNTERS:
			srv->counters_path = optarg;
			break;
		case OPT_POOL_LOG:
			g->pool_log = true;
			srv->pool_log_path = optarg;
			break;
		case OPT_REAP:
			g->reap = true;
			if (!strcmp(optarg, "none"))
				srv->reap = REAP_NONE;
			else if (!strcmp(optarg, "sigchld"))
				srv->reap = REAP_SIGCHLD;
			else if (!strcmp(optarg, "ignore"))
				srv->reap = REAP_IGNORE;
			else
				die("invalid --reap '%s': expected none, sigchld or ignore",
				    optarg);
			break;
		case OPT_TRIGGER:
			g->trigger = true;
			if (!strcmp(optarg, "level") || !strcmp(optarg, "edge"))
				srv->edge_triggered = !strcmp(optarg, "edge");
			else
				die("invalid --trigger '%s': expected level or edge", optarg);
			break;
		case OPT_EXCLUSIVE:
			g->exclusive = srv->exclusive = true;
			break;
		case OPT_MIN_IDLE:
			g->dynamic = true;
			srv->min_idle = (unsigned)parse_num("--min-idle", optarg, 0, 4096);
			break;
		case OPT_MAX_IDLE:
			g->dynamic = true;
			srv->max_idle = (unsigned)parse_num("--max-idle", optarg, 1, 4096);
			break;
		case OPT_MAX_CHILDREN:
			g->dynamic = true;
			srv->max_children = (unsigned)parse_num("--max-children", optarg, 1, 4096);
			break;
		case OPT_MAX_REQUESTS:
			g->dynamic = true;
			srv->max_requests =
				(unsigned)parse_num("--max-requests", optarg, 0, 1u << 31);
			break;
		case OPT_QUIET:
			log_set_quiet(true);
			break;
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (see --help)", argv[optind]);
	if (!srv->model) {
		fprintf(stderr, "herdsrv: --model NAME is required; the models are:\n");
		list_models();
		exit(2);
	}
}

/* Say so when an option does nothing for the chosen model. */
static void check_relevance(const struct server *srv, const struct given *g)
{
	const char *m = srv->model->name;

	if (g->reap && strcmp(m, "fork"))
		log_warn("--reap applies to the fork model only; ignored for %s", m);
	if (g->trigger && strcmp(m, "epoll"))
		log_warn("--trigger applies to the epoll model only; ignored for %s", m);
	if (g->exclusive && strcmp(m, "epoll-threads"))
		log_warn("--exclusive applies to epoll-threads only; ignored for %s", m);
	if (g->pool_log && strcmp(m, "prefork-dynamic"))
		log_warn("--pool-log applies to prefork-dynamic only; ignored for %s", m);
	if (g->dynamic && strcmp(m, "prefork-dynamic"))
		log_warn("--min-idle/--max-idle/--max-children/--max-requests apply to "
			 "prefork-dynamic only");
	if (srv->min_idle > srv->max_idle)
		die("--min-idle %u is above --max-idle %u", srv->min_idle, srv->max_idle);
	if (srv->max_idle > srv->max_children)
		die("--max-idle %u is above --max-children %u", srv->max_idle, srv->max_children);
}

/*
 * Fail now, not at shutdown after the whole run: files_check_writable makes the
 * file's temporary beside it and removes it (a device or FIFO is only checked:
 * it is written in place at exit, and opening a FIFO now would wait for its reader).
 */
static void check_path(const char *flag, const char *path)
{
	if (path && files_check_writable(path) < 0)
		die("cannot write %s '%s': %m", flag, path);
}

int main(int argc, char **argv)
{
	struct server srv = {
		.bind_addr = "127.0.0.1",
		.workers = 8,
		.backlog = 1024,
		.read_timeout_ns = 10 * NSEC_PER_SEC,
		.grace_s = 5,
		.reap = REAP_SIGCHLD,
		.min_idle = 2,
		.max_idle = 5,
		.max_children = 64,
		.max_requests = 10000,
		.max_body = 1 << 20,
		.listen_fd = -1,
		.reserve_fd = -1,
		.docroot_fd = -1,
		.pattern_fd = -1,
	};
	struct given given = { 0 };

	log_init(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv, &srv, &given);
	check_relevance(&srv, &given);

	/*
	 * Every open connection is a descriptor, and the single-process models hold
	 * all of them in one process: tens of thousands of concurrent clients need a
	 * descriptor limit far above the usual 1024 (up to the hard limit, unless root).
	 */
	net_raise_nofile(1 << 18);
	if (srv.docroot) {
		srv.docroot_fd = open(srv.docroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (srv.docroot_fd < 0)
			die("cannot open --docroot '%s': %m", srv.docroot);
	}
	if (srv.stats_path) {
		check_path("--stats", srv.stats_path);
		srv.stats = client_stats_create(STATS_CAPACITY);
		if (!srv.stats)
			die("mmap() of the --stats table failed: %m");
	}
	check_path("--counters", srv.counters_path);
	check_path("--pool-log", srv.pool_log_path);
	if (counters_init() < 0)
		die("mmap() of the counters failed: %m");
	if (given.check)
		return 0; /* every option is good: the run may start */
	if (server_init_pattern(&srv) < 0)
		die("cannot set up the /size pattern: %m");
	proc_signals_init();
	srv_accept_init();
	if (server_listen(&srv) < 0)
		die("cannot listen on %s:%u: %m", srv.bind_addr, srv.port);

	int rc = srv.model->run(&srv);

	if (srv.stats) {
		uint64_t clients, requests;
		client_stats_totals(srv.stats, &clients, &requests);
		if (client_stats_write_csv(srv.stats, srv.stats_path) < 0) {
			log_warn("cannot write --stats '%s': %m", srv.stats_path);
			rc = rc ? rc : 1;
		} else {
			log_info("stats: %llu requests from %llu client addresses -> %s",
				 (unsigned long long)requests, (unsigned long long)clients,
				 srv.stats_path);
		}
		client_stats_destroy(srv.stats);
	}
	if (srv_shed_count)
		log_info("shed %llu connections", (unsigned long long)srv_shed_count);
	if (srv.counters_path &&
	    counters_write_json(srv.counters_path, srv.send_read ? "read" : "sendfile") < 0) {
		log_warn("cannot write --counters '%s': %m", srv.counters_path);
		rc = rc ? rc : 1;
	}
	log_info("stopped");
	return rc;
}
