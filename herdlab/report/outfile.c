/* SPDX-License-Identifier: MIT */
/* outfile.c - whole files or none (outfile.h). */
#include "report/outfile.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Our stream's write: the buffer goes to the real one at once, and a failure is kept. */
static ssize_t pass_on(void *cookie, const char *buf, size_t n)
{
	struct outfile *o = cookie;

	if (o->err)
		return -1;
	if (fwrite(buf, 1, n, o->to) != n || fflush(o->to)) {
		o->err = errno ? errno : EIO;
		return -1;
	}
	return (ssize_t)n;
}

int outfile_open(struct outfile *o, const char *path)
{
	static const cookie_io_functions_t io = { .write = pass_on };

	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		o->to = stdout;
		o->is_stdout = true;
		o->name = "standard output";
	} else if (afile_open(&o->af, path) < 0) {
		log_warn("cannot write %s: %m", path);
		return -1;
	} else {
		o->to = o->af.f;
		o->name = o->af.path;
	}
	errno = 0;
	if (!(o->f = fopencookie(o, "w", io))) {
		log_warn("cannot write %s: %m", o->name);
		if (!o->is_stdout)
			afile_close(&o->af, false);
		return -1;
	}
	return 0;
}

int outfile_close(struct outfile *o, bool ok)
{
	errno = 0;
	if (fclose(o->f) && !o->err) /* flushes the last buffer through pass_on() */
		o->err = errno ? errno : EIO;
	o->f = NULL;
	if (o->err)
		log_warn("cannot write %s: %s", o->name, strerror(o->err));
	else if (!ok)
		log_warn("%s: not written, as it could not be completed", o->name);
	ok = ok && !o->err;
	if (o->is_stdout)
		return ok ? 0 : -1;
	if (afile_close(&o->af, ok) < 0) {
		if (ok)
			log_warn("cannot write %s: %m", o->af.path);
		return -1;
	}
	return ok ? 0 : -1;
}

int outfile_json(struct outfile *o, json_t *j)
{
	int rc = j && json_dumpf(j, o->f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) == 0 ? 0 : -1;

	fputc('\n', o->f);
	json_decref(j);
	return rc;
}

int output_opts_parse(int argc, char **argv, const char *cmd, bool findings, void (*usage)(FILE *f),
		      struct output_opts *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "no-plots", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "findings", no_argument, NULL, 'F' },	     /* with @findings only */
		{ "findings-only", no_argument, NULL, 'O' }, /* with @findings only */
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "text";
	int c;

	*o = (struct output_opts){ .fmt = DOC_TEXT, .plots = true, .tables = true };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if ((c == 'F' || c == 'O') && !findings) {
			fprintf(stderr, "herdlab %s: %s is compare's\n", cmd, argv[optind - 1]);
			usage(stderr);
			return -2;
		}
		switch (c) {
		case 'F':
			o->findings = true;
			break;
		case 'O':
			o->findings = true;
			o->tables = false;
			break;
		case 'f':
			format = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'n':
			o->plots = false;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -2;
		}
	}
	o->json = !strcmp(format, "json");
	if (!o->json && doc_format_parse(format, &o->fmt) < 0) {
		fprintf(stderr, "herdlab %s: unknown format '%s' (text, md, html or json)\n", cmd,
			format);
		return -2;
	}
	return optind;
}
