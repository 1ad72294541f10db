/* SPDX-License-Identifier: MIT */
/* commands.h - herdlab's verbs, one file each. */
#ifndef HERD_COMMANDS_H
#define HERD_COMMANDS_H

int cmd_trace(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_kernels(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_study(int argc, char **argv);

#endif
