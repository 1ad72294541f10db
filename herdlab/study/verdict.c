/* SPDX-License-Identifier: MIT */
/*
 * verdict.c - a claim's verdict from its value and its rule (study.h).
 *
 * A rule has two thresholds on one number: past the first the claim is
 * reproduced, past the second it differs (the effect is there, smaller or
 * larger than claimed), short of both it is not reproduced. "Past" is >= for a
 * claim that holds for large values and <= (below) for one that holds for
 * small ones. A value that could not be measured has no verdict but that.
 */
#include <math.h>
#include <stdio.h>

#include "study/study.h"

const char *const verdict_name[4] = { "not measured", "reproduced", "differs", "not reproduced" };

/* Whether @v is past @bound in the rule's direction. */
static bool past(const struct verdict_rule *r, double v, double bound)
{
	return r->below ? v <= bound : v >= bound;
}

enum verdict verdict_of(const struct verdict_rule *r, double v)
{
	if (isnan(v) || isinf(v))
		return V_NOT_MEASURED;
	if (past(r, v, r->reproduced))
		return V_REPRODUCED;
	if (past(r, v, r->differs))
		return V_DIFFERS;
	return V_NOT_REPRODUCED;
}

void verdict_rule_str(const struct verdict_rule *r, char *buf, size_t len)
{
	const char *op = r->below ? "<=" : ">=";

	snprintf(buf, len, "reproduced if %s %g, differs if %s %g", op, r->reproduced, op,
		 r->differs);
}
