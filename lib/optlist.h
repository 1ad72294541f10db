/* SPDX-License-Identifier: MIT */
/*
 * optlist.h - a program's long options as text: printed from the getopt_long
 * table it parses with, and read back by another program.
 *
 *	--workers value
 *	--exclusive flag
 *	--color optional
 *
 * One line per option: its name with the two dashes, then whether a value
 * follows. herdsrv and herdload print theirs on `--options`; herdlab run reads
 * both and passes each option on to the program that owns it, so a new option
 * of either needs no edit anywhere else. The table printed is the one parsed
 * with, so the two can never differ; printer and reader live here together, so
 * the format is defined once.
 */
#ifndef HERD_OPTLIST_H
#define HERD_OPTLIST_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

/* Every named entry of @opts (ended by a zeroed one), one line each. */
void optlist_print(FILE *f, const struct option *opts);

/*
 * optlist_print()'s text back into a table ending with a zeroed entry (names
 * allocated, flag NULL, val 0), its length into @n. NULL with errno: EINVAL for
 * a line that is not "--NAME value|flag|optional", ENOMEM.
 */
struct option *optlist_parse(const char *text, size_t *n);

/* A table from optlist_parse(), names and all (NULL is fine). */
void optlist_free(struct option *opts);

#endif
