/* SPDX-License-Identifier: MIT */
/*
 * profiling.h - a session's profile: the sampler (bpf/profile.h), the symbols
 * of the processes it samples, and what is written of them.
 *
 *	profiling_start()     load and attach the sampler, sharing the tracer's targets
 *	profiling_set_root()  the traced server: its maps stand in for children never read
 *	profiling_set_load()  the load generator's pid, for --profile-all's labels
 *	profiling_poll()      read the maps of processes newly sampled (once a second)
 *	profiling_pause()     the run is over: stop sampling, read every sampled process's maps
 *	profiling_write()     DIR/profile.folded, profile.svg, profile.json; run.json's profile
 *	profiling_close()     detach and free
 *
 * Whose maps. A user address is a name only through the mappings of its
 * process at the time (profile/symbols.h), so they are read while the process
 * lives: once a second for every pid new in the sampler's hash, and for all of
 * them when the run ends, before the server is stopped. A process that lived
 * between two reads (a fork-per-connection child lives a millisecond) is read
 * through the server's own maps: forked without exec, it maps the same files at
 * the same addresses. How many borrowed them is in profile.json (maps.borrowed).
 *
 * Every function takes NULL (not profiling) and does nothing then.
 */
#ifndef HERD_PROFILE_PROFILING_H
#define HERD_PROFILE_PROFILING_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#define PROFILE_DEFAULT_HZ 99 /* --profile alone: off the beat of 100 Hz timers */
#define PROFILE_MAX_HZ	   10000

struct profiling;

struct tracer_shared;

/* 0, or -errno (logged); @sh is the tracer's maps, whose targets are sampled (tracer_shared). */
int profiling_start(struct profiling **out, const struct tracer_shared *sh, int hz, bool all);
void profiling_set_root(struct profiling *p, pid_t root);
void profiling_set_load(struct profiling *p, pid_t load);
void profiling_poll(struct profiling *p);
void profiling_pause(struct profiling *p);
/*
 * Write @dir's profile.folded, profile.svg and profile.json (each whole or not at
 * all); run.json's "profile" object (new reference), or NULL when nothing could
 * be collected. @title heads the flame graph.
 */
json_t *profiling_write(struct profiling *p, const char *dir, const char *title);
void profiling_close(struct profiling *p);

/* "--profile[=HZ]"'s value: HZ, or PROFILE_DEFAULT_HZ for NULL; -1 if not 1..PROFILE_MAX_HZ. */
int profiling_parse_hz(const char *arg);

#endif
