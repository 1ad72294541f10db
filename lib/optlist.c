/* SPDX-License-Identifier: MIT */
/* optlist.c - long options as text and back (optlist.h). */
#include "optlist.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

/* has_arg's words, indexed by no_argument, required_argument, optional_argument. */
static const char *const kinds[] = { "flag", "value", "optional" };

void optlist_print(FILE *f, const struct option *opts)
{
	for (; opts->name; opts++)
		if (opts->has_arg >= 0 && opts->has_arg <= optional_argument)
			fprintf(f, "--%s %s\n", opts->name, kinds[opts->has_arg]);
}

/* One line "--NAME KIND" (not NUL-terminated: @len bytes) into @o; 0, or -1 with errno. */
static int parse_line(const char *line, size_t len, struct option *o)
{
	const char *sp = memchr(line, ' ', len);

	errno = EINVAL;
	if (len < 4 || strncmp(line, "--", 2) || !sp || sp == line + 2)
		return -1;
	size_t klen = len - (size_t)(sp + 1 - line);
	for (int k = 0; k <= optional_argument; k++) {
		if (strlen(kinds[k]) != klen || strncmp(sp + 1, kinds[k], klen))
			continue;
		if (!(o->name = strndup(line + 2, (size_t)(sp - line - 2))))
			return -1; /* ENOMEM */
		o->has_arg = k;
		return 0;
	}
	return -1;
}

struct option *optlist_parse(const char *text, size_t *n)
{
	struct vec v = VEC_INIT(struct option);
	struct option *o;
	int err;

	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		if (len) {
			if (!(o = vec_push(&v))) {
				err = ENOMEM;
				goto fail;
			}
			if (parse_line(p, len, o) < 0) {
				err = errno;
				goto fail;
			}
		}
		p += len + (p[len] == '\n');
	}
	if (!(o = vec_push(&v))) { /* the zeroed end */
		err = ENOMEM;
		goto fail;
	}
	*n = v.len - 1;
	return vec_take(&v, NULL);
fail:
	for (size_t i = 0; i < v.len; i++)
		free((char *)((struct option *)vec_at(&v, i))->name);
	vec_free(&v);
	errno = err;
	return NULL;
}

void optlist_free(struct option *opts)
{
	for (struct option *o = opts; o && o->name; o++)
		free((char *)o->name);
	free(opts);
}
