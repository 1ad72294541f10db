/* SPDX-License-Identifier: MIT */
/* outfile.c - whole files or none (outfile.h). */
#include "outfile.h"

#include <string.h>

#include "log.h"

int outfile_open(struct outfile *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	if (snprintf(o->path, sizeof(o->path), "%s", path) >= (int)sizeof(o->path)) {
		log_warn("path too long: %s", path);
		return -1;
	}
	snprintf(o->tmp, sizeof(o->tmp), "%s.tmp", path);
	if (!(o->f = fopen(o->tmp, "w"))) {
		log_warn("cannot write %s: %m", o->tmp);
		return -1;
	}
	return 0;
}

int outfile_close(struct outfile *o, bool ok)
{
	if (!o->path[0])
		return fflush(stdout) || !ok ? -1 : 0;
	ok = !ferror(o->f) && ok;
	if (fclose(o->f))
		ok = false;
	if (ok && rename(o->tmp, o->path) < 0) {
		log_warn("cannot write %s: %m", o->path);
		ok = false;
	}
	if (!ok)
		remove(o->tmp);
	return ok ? 0 : -1;
}

void outfile_dirname(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}
