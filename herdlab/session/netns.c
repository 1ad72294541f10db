/* SPDX-License-Identifier: MIT */
/*
 * netns.c - a run's own network namespaces (netns.h).
 *
 * Every visit to a namespace is the same three steps: setns() into it, do the
 * one thing (bring an interface up, write a sysctl, read the counters), setns()
 * home; herdlab never stays inside one, so the tracer and the run directory see
 * the machine as before. The order in netns_make() is the order in which a
 * mistake can be found: the server's namespace, its sysctls (a key this kernel
 * does not have is refused there), then the client's namespace, the veth pair
 * and netem; whatever fails, what was made so far is closed again.
 *
 * Addresses come from 198.18.0.0/15, the range set aside for benchmarks (RFC
 * 2544), so that they cannot be anyone's real network. The veth ends keep
 * their fixed names: they exist only inside the run's namespaces, never in the
 * machine's, so two runs at once cannot clash.
 */
#include "session/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "jsonio.h"
#include "log.h"
#include "metrics/keys.h"
#include "path.h"
#include "session/netstat.h"
#include "spawn.h"

#define SERVER_ADDR "198.18.0.1"
#define CLIENT_ADDR "198.18.0.2"
#define NETMASK	    "255.255.255.252" /* a /30: the two ends */
#define VETH_SERVER "herd-srv"	      /* the server's end, in its namespace */
#define VETH_CLIENT "herd-cli"	      /* the client's end, in the client's */
#define NS_SELF	    "/proc/thread-self/ns/net"

/* ---- the options ------------------------------------------------------------------------- */

/* What is wrong with an option, as a sentence (one at a time: the usage exits after it). */
static const char *bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *bad(const char *fmt, ...)
{
	static char why[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return why;
}

/* A sysctl's name: net.SOMETHING, of the characters /proc/sys's names have. */
static bool good_key(const char *key, size_t len)
{
	if (len < 5 || strncmp(key, "net.", 4) || key[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(key[i] == '.' || key[i] == '_' || key[i] == '-' ||
		      (key[i] >= 'a' && key[i] <= 'z') || (key[i] >= 'A' && key[i] <= 'Z') ||
		      (key[i] >= '0' && key[i] <= '9')) ||
		    (key[i] == '.' && key[i + 1] == '.'))
			return false;
	return true;
}

static bool number(const char *arg, double lo, double hi, double *v)
{
	char *end;

	*v = strtod(arg, &end);
	return end != arg && !*end && *v >= lo && *v <= hi;
}

const char *netns_take(struct netns_opts *o, enum netns_option which, const char *arg)
{
	const char *eq, **slot;

	switch (which) {
	case NETNS_OPT_NETNS:
		if (!arg || !strcmp(arg, "lo"))
			o->mode = NETNS_LO;
		else if (!strcmp(arg, "veth"))
			o->mode = NETNS_VETH;
		else
			return bad("--netns takes lo or veth (--netns alone is lo), not '%s'", arg);
		return NULL;
	case NETNS_OPT_SYSCTL:
		eq = strchr(arg, '=');
		if (!eq || !eq[1] || strchr(eq, '\n') || !good_key(arg, (size_t)(eq - arg)))
			return bad("--sysctl takes KEY=VALUE with KEY under net. (only those "
				   "belong to the run's namespace), not '%s'",
				   arg);
		if (!o->sysctl.size)
			o->sysctl = VEC_INIT(const char *);
		if (!(slot = vec_push(&o->sysctl)))
			die("out of memory");
		*slot = arg;
		return NULL;
	case NETNS_OPT_DELAY:
		o->delay = true;
		return number(arg, 0, 10000, &o->delay_ms)
			       ? NULL
			       : bad("--delay takes milliseconds, 0..10000, not '%s'", arg);
	case NETNS_OPT_LOSS:
		o->loss = true;
		return number(arg, 0, 100, &o->loss_pct)
			       ? NULL
			       : bad("--loss takes a percentage, 0..100, not '%s'", arg);
	}
	return NULL;
}

const char *netns_check(const struct netns_opts *o, const struct vec *server)
{
	if (o->sysctl.len && o->mode == NETNS_OFF)
		return "--sysctl needs --netns: it is set in the run's own network namespace, "
		       "never the machine's";
	if ((o->delay || o->loss) && o->mode != NETNS_VETH)
		return "--delay and --loss need --netns=veth: netem delays and drops packets on "
		       "the veth pair's ends, and loopback has none";
	for (size_t i = 0; o->mode == NETNS_VETH && i < server->len; i++)
		if (!strncmp(*(char **)vec_at(server, i), "--bind", 6))
			return "--bind is herdlab run's with --netns=veth: the server listens on "
			       "its end of the veth pair, " SERVER_ADDR;
	return NULL;
}

void netns_usage(FILE *f)
{
	fprintf(f, "  --netns[=lo|veth]  the server and herdload in network namespaces of\n"
		   "                 their own, so the kernel's TCP counters are the run's alone\n"
		   "                 (run.json tcp.netstat.*). lo (the default): one namespace,\n"
		   "                 its own loopback, the path of a plain run. veth: the server\n"
		   "                 (" SERVER_ADDR ") and herdload (" CLIENT_ADDR
		   ") in two, joined by a\n"
		   "                 veth pair: a real device, qdisc, GRO/GSO, and netem\n"
		   "  --sysctl KEY=VALUE  a net.* sysctl in the server's namespace (repeatable)\n"
		   "  --delay MS     veth: netem delay on each end (the round trip grows 2*MS)\n"
		   "  --loss PCT     veth: netem loss on each end (each way)\n");
}

void netns_opts_free(struct netns_opts *o)
{
	vec_free(&o->sysctl);
}

/* ---- visits --------------------------------------------------------------------------------- */

static void go_home(const struct netns *ns)
{
	if (setns(ns->home_fd, CLONE_NEWNET) < 0)
		die("cannot return to herdlab's own network namespace: setns() failed: %m");
}

static int visit(const struct netns *ns, int fd)
{
	if (setns(fd, CLONE_NEWNET) == 0)
		return 0;
	log_warn("setns() into the run's network namespace failed: %m");
	return -1;
}

/* Interface @name of the namespace we are in up, with @addr/30 (NULL: none). */
static int if_up(const char *name, const char *addr)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;
	const char *call = "socket()";

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (s < 0)
		goto out;
	if (addr) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
		sin->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &sin->sin_addr);
		call = "SIOCSIFADDR";
		if (ioctl(s, SIOCSIFADDR, &ifr) < 0)
			goto out;
		inet_pton(AF_INET, NETMASK, &sin->sin_addr);
		call = "SIOCSIFNETMASK";
		if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
			goto out;
	}
	call = "SIOCGIFFLAGS";
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto out;
	ifr.ifr_flags |= IFF_UP;
	call = "SIOCSIFFLAGS";
	rc = ioctl(s, SIOCSIFFLAGS, &ifr);
out:
	if (rc < 0)
		log_warn("bringing %s up in the run's namespace failed: %s: %m", name, call);
	if (s >= 0)
		close(s);
	return rc;
}

/* A new namespace with its loopback up into *@fd (and its inode); herdlab stays home. */
static int make_one(struct netns *ns, int *fd, unsigned long *ino)
{
	struct stat st;
	int rc = -1;

	if (unshare(CLONE_NEWNET) < 0) {
		log_warn("unshare(CLONE_NEWNET) failed: %m%s",
			 errno == EPERM ? ": --netns needs root" : "");
		return -1;
	}
	if ((*fd = open(NS_SELF, O_RDONLY | O_CLOEXEC)) < 0)
		log_warn("cannot open %s: %m", NS_SELF);
	else if (fstat(*fd, &st) == 0 && if_up("lo", NULL) == 0)
		*ino = (unsigned long)st.st_ino, rc = 0;
	go_home(ns);
	return rc;
}

/* @argv (ip, tc) run in the namespace @fd, its stdout dropped; 0 if it exited 0. */
static int run_in(int fd, char *const *argv)
{
	int code = spawn_run(&(struct spawn){ .argv = argv, .out = "/dev/null", .netns_fd = fd },
			     NULL);

	if (code != 0)
		log_warn("%s %s %s ... in the run's namespace failed (exit %d)", argv[0], argv[1],
			 argv[2], code);
	return code == 0 ? 0 : -1;
}

/* ---- making them --------------------------------------------------------------------------- */

/* The sysctl's value as read back: a number if it is one, else its text. */
static json_t *value_json(char *text)
{
	char *end;

	text[strcspn(text, "\n")] = 0;
	for (char *t = text; *t; t++)
		if (*t == '\t')
			*t = ' ';
	long long v = strtoll(text, &end, 10);
	return end != text && !*end ? json_integer(v) : json_string(text);
}

/* One --sysctl KEY=VALUE, in the namespace we are in; 0 or -1 (said). */
static int set_sysctl(const char *arg, json_t *out)
{
	const char *eq = strchr(arg, '=');
	char key[256], path[PATH_MAX];
	int fd;

	snprintf(key, sizeof(key), "%.*s", (int)(eq - arg), arg);
	if (path_fmt(path, sizeof(path), "/proc/sys/%s", key) < 0)
		return -1;
	for (char *p = path + 10; *p; p++)
		if (*p == '.')
			*p = '/';
	if (access(path, F_OK) < 0) {
		log_warn("--sysctl %s: the run's network namespace has no such sysctl (no %s)", key,
			 path);
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0 ||
	    write(fd, eq + 1, strlen(eq + 1)) != (ssize_t)strlen(eq + 1)) {
		log_warn("--sysctl %s: cannot write '%s' to %s: %m", key, eq + 1, path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	char *back = files_read(path, NULL);
	if (!back) {
		log_warn("--sysctl %s: cannot read %s back: %m", key, path);
		return -1;
	}
	json_object_set_new(out, key, value_json(back));
	free(back);
	return 0;
}

static int set_sysctls(struct netns *ns)
{
	int rc = 0;

	ns->sysctl = json_object();
	if (!ns->sysctl || visit(ns, ns->server_fd) < 0)
		return -1;
	for (size_t i = 0; !rc && i < ns->opts->sysctl.len; i++)
		rc = set_sysctl(*(const char **)vec_at(&ns->opts->sysctl, i), ns->sysctl);
	go_home(ns);
	return rc;
}

/* netem on one end: "tc qdisc add dev DEV root netem delay Xms loss Y%". */
static int netem(int fd, const char *dev, const struct netns_opts *o)
{
	char delay[32], loss[32];
	char *argv[12] = { "tc", "qdisc", "add", "dev", (char *)dev, "root", "netem" };
	int n = 7;

	snprintf(delay, sizeof(delay), "%gms", o->delay_ms);
	snprintf(loss, sizeof(loss), "%g%%", o->loss_pct);
	if (o->delay)
		argv[n++] = "delay", argv[n++] = delay;
	if (o->loss)
		argv[n++] = "loss", argv[n++] = loss;
	argv[n] = NULL;
	return run_in(fd, argv);
}

/* The client's namespace, the veth pair between the two, the addresses, netem. */
static int make_veth(struct netns *ns)
{
	char peer[64];

	if (make_one(ns, &ns->client_fd, &ns->client_ino) < 0)
		return -1;
	/* ip opens the client's namespace through our descriptor of it */
	snprintf(peer, sizeof(peer), "/proc/%d/fd/%d", (int)getpid(), ns->client_fd);
	if (run_in(ns->server_fd,
		   (char *[]){ "ip", "link", "add", "name", VETH_SERVER, "type", "veth", "peer",
			       "name", VETH_CLIENT, "netns", peer, NULL }) < 0)
		return -1;
	int rc = visit(ns, ns->server_fd);
	if (!rc) {
		rc = if_up(VETH_SERVER, SERVER_ADDR);
		go_home(ns);
	}
	if (!rc && !(rc = visit(ns, ns->client_fd))) {
		rc = if_up(VETH_CLIENT, CLIENT_ADDR);
		go_home(ns);
	}
	if (rc || !(ns->opts->delay || ns->opts->loss))
		return rc;
	if (netem(ns->server_fd, VETH_SERVER, ns->opts) < 0 ||
	    netem(ns->client_fd, VETH_CLIENT, ns->opts) < 0) {
		log_warn("--delay and --loss need tc's netem qdisc (sch_netem, "
			 "CONFIG_NET_SCH_NETEM), which this kernel may not have: tc said why");
		return -1;
	}
	return 0;
}

int netns_make(struct netns *ns, const struct netns_opts *o)
{
	memset(ns, 0, sizeof(*ns));
	ns->home_fd = ns->server_fd = ns->client_fd = -1;
	ns->mode = o->mode;
	ns->opts = o;
	for (int i = 0; i < 2; i++)
		ns->before[i] = ns->after[i] = VEC_INIT(struct netstat_counter);
	if (o->mode == NETNS_OFF)
		return 0;
	if ((ns->home_fd = open(NS_SELF, O_RDONLY | O_CLOEXEC)) < 0) {
		log_warn("cannot open %s: %m", NS_SELF);
		goto fail;
	}
	if (make_one(ns, &ns->server_fd, &ns->server_ino) < 0 || set_sysctls(ns) < 0)
		goto fail;
	if (o->mode == NETNS_VETH ? make_veth(ns) < 0 : 0)
		goto fail;
	if (o->mode == NETNS_LO)
		ns->client_ino = ns->server_ino;
	return 0;
fail:
	log_warn("the run's network namespace%s could not be made: nothing was run",
		 o->mode == NETNS_VETH ? "s" : "");
	netns_remove(ns);
	return -1;
}

/* ---- during and after ----------------------------------------------------------------------- */

int netns_spawn_fd(const struct netns *ns, bool client)
{
	int fd = client && ns->mode == NETNS_VETH ? ns->client_fd : ns->server_fd;

	return fd > 0 ? fd : 0;
}

const char *netns_server_addr(const struct netns *ns)
{
	return ns->mode == NETNS_VETH ? SERVER_ADDR : NULL;
}

void netns_count(struct netns *ns, bool end)
{
	int sides = ns->mode == NETNS_VETH ? 2 : 1;
	bool ok = ns->mode != NETNS_OFF;

	for (int i = 0; ok && i < sides; i++) {
		struct vec *v = end ? &ns->after[i] : &ns->before[i];
		if (visit(ns, i ? ns->client_fd : ns->server_fd) < 0) {
			ok = false;
			break;
		}
		v->len = 0;
		ok = netstat_read("/proc/thread-self/net", v) == 0;
		go_home(ns);
	}
	if (!ok && ns->mode != NETNS_OFF)
		log_warn("the run's TCP counters could not be read: run.json has no tcp.netstat");
	ns->counted[end] = ok;
}

/* The trace's listen overflows and drops: the namespace's, not the machine's. */
static void fix_trace(json_t *trace, json_t *netstat)
{
	json_t *ov = json_object_get(netstat, MK_NS_LISTEN_OVERFLOWS);
	json_t *dr = json_object_get(netstat, MK_NS_LISTEN_DROPS);

	if (!json_is_object(trace) || !ov || !dr)
		return;
	jsonio_set_path(trace, MK_TCP_LISTEN_OVERFLOWS, json_copy(ov));
	jsonio_set_path(trace, MK_TCP_LISTEN_DROPS, json_copy(dr));
	jsonio_set_path(trace, MK_TCP_LISTEN_COUNTERS, json_string(MV_TCP_LISTEN_COUNTERS_NETNS));
}

/* run.json's netns: what the run's namespaces were. */
static void netns_json(const struct netns *ns, json_t *meta)
{
	const struct netns_opts *o = ns->opts;
	bool veth = ns->mode == NETNS_VETH;

	jsonio_set_path(meta, MK_NETNS_MODE,
			json_string(veth ? MV_NETNS_MODE_VETH : MV_NETNS_MODE_LO));
	jsonio_set_path(meta, MK_NETNS_SERVER_INODE, json_integer((json_int_t)ns->server_ino));
	jsonio_set_path(meta, MK_NETNS_CLIENT_INODE, json_integer((json_int_t)ns->client_ino));
	jsonio_set_path(meta, MK_NETNS_SYSCTL,
			ns->sysctl ? json_deep_copy(ns->sysctl) : json_object());
	if (!veth)
		return;
	jsonio_set_path(meta, MK_NETNS_SERVER_ADDR, json_string(SERVER_ADDR));
	jsonio_set_path(meta, MK_NETNS_CLIENT_ADDR, json_string(CLIENT_ADDR));
	if (o->delay)
		jsonio_set_path(meta, MK_NETNS_DELAY_MS, json_real(o->delay_ms));
	if (o->loss)
		jsonio_set_path(meta, MK_NETNS_LOSS_PCT, json_real(o->loss_pct));
}

json_t *netns_record(const struct netns *ns, json_t *meta, json_t *trace)
{
	if (!meta)
		return NULL;
	jsonio_set_path(meta, MK_TCP_NETSTAT_SCOPE,
			json_string(ns->mode ? MV_NETSTAT_SCOPE_RUN : MV_NETSTAT_SCOPE_MACHINE));
	if (ns->mode == NETNS_OFF)
		return meta;
	netns_json(ns, meta);
	if (!ns->counted[0] || !ns->counted[1])
		return meta;
	json_t *server = netstat_delta_json(&ns->before[0], &ns->after[0]);
	fix_trace(trace, server);
	jsonio_set_path(meta, MK_TCP_NETSTAT, server ? server : json_null());
	if (ns->mode == NETNS_VETH) {
		json_t *client = netstat_delta_json(&ns->before[1], &ns->after[1]);
		jsonio_set_path(meta, MK_TCP_CLIENT_NETSTAT, client ? client : json_null());
	}
	return meta;
}

void netns_remove(struct netns *ns)
{
	int *fds[] = { &ns->server_fd, &ns->client_fd, &ns->home_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	json_decref(ns->sysctl);
	ns->sysctl = NULL;
	for (int i = 0; i < 2; i++)
		vec_free(&ns->before[i]), vec_free(&ns->after[i]);
}
