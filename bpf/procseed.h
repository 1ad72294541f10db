/* SPDX-License-Identifier: MIT */
/*
 * procseed.h - what /proc says when tracing begins: the tasks of a process tree,
 * the ports its processes listen on, and the kernel's listen-queue counters.
 *
 * The kernel side learns targets from forks and ports from listen() as they
 * happen; whatever existed before the programs were attached comes from here.
 * Each seeded task carries the call it is blocked in now (/proc/TID/syscall,
 * classified by herd.h's herd_wait_kind, the kernel side's own classifier), so
 * that its first wakeup is attributed like every later one.
 *
 * Works on map descriptors (bpf(2) calls only), not on the skeleton: the
 * loader (trace.c) owns the object and hands over the maps it needs.
 */
#ifndef HERD_PROCSEED_H
#define HERD_PROCSEED_H

#include <stdint.h>
#include <sys/types.h>

#include "vec.h"

/*
 * One pass over the tree at @root as /proc shows it now: every thread of @root
 * and of each descendant process goes into the tasks map @tasks_fd (struct
 * herd_task by TID) unless it is there already. Returns the tasks added, or
 * -ESRCH when @root is gone.
 */
int procseed_tree(int tasks_fd, pid_t root);

/*
 * The ports that processes in the tasks map listen on now (/proc/PID/net/tcp
 * and tcp6 of each network namespace they are in, matched by socket inode),
 * appended to @ports (a vec of uint16_t).
 * Returns 0 or -ENOMEM.
 */
int procseed_listening_ports(int tasks_fd, struct vec *ports);

/*
 * Whether task @tid sleeps in a system call now (/proc/TID/stat's state S or D, and
 * /proc/TID/syscall): 1 with the call's number in *@nr and its second argument in
 * *@arg1; 0 when it runs or is in no call; -errno when it is gone.
 */
int procseed_sleeping_in(uint32_t tid, long *nr, long *arg1);

/* TcpExt ListenOverflows and ListenDrops (system-wide; 0 where unreadable). */
void procseed_listen_counters(uint64_t *overflows, uint64_t *drops);

#endif
