/* SPDX-License-Identifier: MIT */
/*
 * jsonget - print one value of a JSON file, by dotted key.
 *
 *	jsonget FILE requests.ok        ->  2003
 *	jsonget FILE kernels.0.status   ->  ok      (a number indexes an array)
 *
 * Integers print as integers, reals with full precision, strings bare, objects
 * and arrays as compact JSON. A missing key prints nothing and exits 1. The
 * integration tests use it to read herdload's and the tracer's JSON.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"

int main(int argc, char **argv)
{
	json_error_t err;

	if (argc != 3) {
		fprintf(stderr, "usage: jsonget FILE DOTTED.KEY\n");
		return 2;
	}
	json_t *root = json_load_file(argv[1], 0, &err);
	if (!root) {
		fprintf(stderr, "jsonget: %s: %s (line %d)\n", argv[1], err.text, err.line);
		return 2;
	}
	json_t *v = jsonio_get_path(root, argv[2]);
	int rc = 0;
	if (!v)
		rc = 1;
	else if (json_is_integer(v))
		printf("%lld\n", (long long)json_integer_value(v));
	else if (json_is_real(v))
		printf("%.17g\n", json_real_value(v));
	else if (json_is_string(v))
		printf("%s\n", json_string_value(v));
	else if (json_is_boolean(v))
		printf("%s\n", json_is_true(v) ? "true" : "false");
	else {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		printf("%s\n", s ? s : "null");
		free(s);
	}
	json_decref(root);
	return rc;
}
