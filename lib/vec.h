/* SPDX-License-Identifier: MIT */
/*
 * vec.h - a growable array of fixed-size elements, and a growable string.
 *
 *	struct vec v = VEC_INIT(struct conn);
 *	struct conn *c = vec_push(&v);	// zeroed, or NULL when out of memory
 *	...
 *	for (size_t i = 0; i < v.len; i++) use(vec_at(&v, i));
 *	vec_free(&v);
 *
 * The array may move when it grows: pointers into it are good until the next push.
 * vec_take() hands the array over to the caller (who frees it with free()).
 */
#ifndef HERD_VEC_H
#define HERD_VEC_H

#include <stdbool.h>
#include <stddef.h>

struct vec {
	void *data;  /* len elements of size bytes */
	size_t len;  /* elements in use */
	size_t cap;  /* elements allocated */
	size_t size; /* bytes per element */
};

#define VEC_INIT(type) ((struct vec){ .size = sizeof(type) })

/* One more element at the end, zeroed; NULL (nothing changed) when out of memory. */
void *vec_push(struct vec *v);

static inline void *vec_at(const struct vec *v, size_t i)
{
	return (char *)v->data + i * v->size;
}

/* The array (NULL when empty), its length into @len; @v is left empty. */
void *vec_take(struct vec *v, size_t *len);

void vec_free(struct vec *v);

/*
 * A string built by appending. A failed allocation is remembered (oom) and later
 * appends do nothing, so that callers check once, at the end.
 */
struct strbuf {
	char *s;    /* NUL-terminated once anything was appended */
	size_t len; /* bytes before the NUL */
	size_t cap;
	bool oom;
};

void strbuf_addf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_free(struct strbuf *b);

#endif
