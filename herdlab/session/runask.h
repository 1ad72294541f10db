/* SPDX-License-Identifier: MIT */
/*
 * runask.h - herdlab run's questions to herdsrv and herdload, asked before
 * anything starts: their option tables, herdsrv's models, and whether the
 * values given are good. A "no" exits 2 with what the program said.
 */
#ifndef HERD_RUNASK_H
#define HERD_RUNASK_H

#include <getopt.h>
#include <stddef.h>

#include "vec.h"

/* @prog's option table, from `PROG --options`; NULL (logged) if it cannot say (optlist_free). */
struct option *runask_options(const char *prog);

/* --model against `herdsrv --list`: an unknown one exits 2, with the nearest name. */
void runask_model(const char *model);

/*
 * `@prog --check @head... @args...` (@args: a vec of char *): the program parses
 * and validates the options as it would for the run; a refusal exits 2 here.
 */
void runask_values(const char *prog, char *const *head, size_t nhead, const struct vec *args);

#endif
