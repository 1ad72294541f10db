/* SPDX-License-Identifier: MIT */
/*
 * profile_section.h - the profile in the run report and in compare.
 *
 *	section_profile()   "Where the CPU went": the buckets (a table and a stacked
 *	                    bar), the ten stacks with the most samples, the flame graph
 *	compare_profile()   the runs' buckets side by side, in microseconds of CPU per
 *	                    request: samples / hz / requests
 *
 * Both read run.json's profile (profile/profiling.h); the top stacks come from
 * the run's profile.json and the flame graph is the run's profile.svg, put in
 * the HTML page itself. A run without a profile has neither.
 */
#ifndef HERD_REPORT_PROFILE_SECTION_H
#define HERD_REPORT_PROFILE_SECTION_H

#include <stddef.h>

#include "report/doc.h"
#include "report/readout.h"
#include "session/rundir.h"

void section_profile(struct doc *d, const struct rundir *rd, const struct report_figs *f);

/* Nothing when no run has a profile. */
void compare_profile(struct doc *d, const struct rundir *runs, size_t n, char **labels);

#endif
