/* SPDX-License-Identifier: MIT */
/*
 * tracecheck.c - check a Chrome trace-event JSON (timeline.json) against the
 * format: every event has ph, ts (but "M"), pid, tid and name; every "X" has a
 * dur >= 0; every flow event ("s", "f") has an id and lies on an "X" slice of
 * its own track (same pid and tid, ts within the slice). Prints what is wrong
 * and exits 1, or prints "ok EVENTS SLICES FLOWS" and exits 0.
 *
 *	tracecheck timeline.json
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int bad(const char *what, size_t i)
{
	fprintf(stderr, "tracecheck: event %zu: %s\n", i, what);
	return 1;
}

static bool on_slice(json_t *events, json_t *flow)
{
	json_int_t pid = json_integer_value(json_object_get(flow, "pid"));
	json_int_t tid = json_integer_value(json_object_get(flow, "tid"));
	double ts = json_number_value(json_object_get(flow, "ts"));
	size_t i;
	json_t *e;

	json_array_foreach(events, i, e)
	{
		const char *ph = json_string_value(json_object_get(e, "ph"));
		if (!ph || strcmp(ph, "X") ||
		    json_integer_value(json_object_get(e, "pid")) != pid ||
		    json_integer_value(json_object_get(e, "tid")) != tid)
			continue;
		double a = json_number_value(json_object_get(e, "ts"));
		double d = json_number_value(json_object_get(e, "dur"));
		if (ts >= a - 1e-6 && ts <= a + d + 1e-6)
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	json_error_t err;
	json_t *root = argc == 2 ? json_load_file(argv[1], 0, &err) : NULL;
	json_t *events = json_object_get(root, "traceEvents"), *e;
	size_t i, slices = 0, flows = 0;
	int rc = 0;

	if (!json_is_array(events)) {
		fprintf(stderr, "usage: tracecheck FILE (a JSON object with traceEvents)\n");
		return 2;
	}
	json_array_foreach(events, i, e)
	{
		const char *ph = json_string_value(json_object_get(e, "ph"));
		if (!ph || !json_is_string(json_object_get(e, "name")) ||
		    !json_is_integer(json_object_get(e, "pid")) ||
		    !json_is_integer(json_object_get(e, "tid")) ||
		    (strcmp(ph, "M") && !json_is_number(json_object_get(e, "ts")))) {
			rc |= bad("lacks ph, name, pid, tid or ts", i);
			continue;
		}
		if (!strcmp(ph, "X")) {
			slices++;
			if (!(json_number_value(json_object_get(e, "dur")) >= 0))
				rc |= bad("an X without a dur >= 0", i);
		} else if (!strcmp(ph, "s") || !strcmp(ph, "f")) {
			flows++;
			if (!json_object_get(e, "id"))
				rc |= bad("a flow without an id", i);
			else if (!on_slice(events, e))
				rc |= bad("a flow event on no slice of its track", i);
		}
	}
	if (!rc)
		printf("ok %zu %zu %zu\n", json_array_size(events), slices, flows);
	json_decref(root);
	return rc;
}
