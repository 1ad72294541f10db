/* SPDX-License-Identifier: MIT */
/* commands.h - herdlab's verbs, one file each. */
#ifndef HERD_COMMANDS_H
#define HERD_COMMANDS_H

#include <stddef.h>

int cmd_trace(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_kernels(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);

/* The path of program @name installed beside herdlab (build/herdsrv, ...). */
int herdlab_sibling(const char *name, char *path, size_t len);

#endif
