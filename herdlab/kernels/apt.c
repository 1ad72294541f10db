/* SPDX-License-Identifier: MIT */
/*
 * apt.c - apt's text, read: the machine's Debian mirror from /etc/apt, and a
 * field of apt-cache's output (apt.h).
 *
 * herdlab names no mirror itself: the private apt of each suite reuses the URI
 * (and its Signed-By keyring) of a Debian entry the machine already has, in
 * either of apt's formats: one-line sources.list entries and deb822 .sources
 * stanzas.
 */
#include "kernels/apt.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DEFAULT_KEYRING "/usr/share/keyrings/debian-archive-keyring.gpg"

/* Debian's codenames: a sources entry with one of them is the Debian archive. */
static const char *const codenames[] = { "buster",    "bullseye", "bookworm", "trixie",
					 "forky",     "duke",	  "sid",      "stable",
					 "oldstable", "testing",  "unstable", NULL };

static bool is_codename(const char *suite)
{
	for (int i = 0; codenames[i]; i++)
		if (!strcmp(suite, codenames[i]))
			return true;
	return false;
}

/* Whether a whitespace-separated @list holds @word (or, @codename, a Debian codename). */
static bool list_has(const char *list, const char *word, bool codename)
{
	char buf[1024], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		if (codename ? is_codename(w) : !strcmp(w, word))
			return true;
	return false;
}

/* The first http(s) URI of a whitespace-separated list. */
static bool first_uri(const char *list, char *out, size_t len)
{
	char buf[1024], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		if (!strncmp(w, "http://", 7) || !strncmp(w, "https://", 8)) {
			snprintf(out, len, "%s", w);
			return true;
		}
	return false;
}

static void set_keyring(struct mirror *m, const char *signed_by)
{
	if (signed_by && signed_by[0] == '/' && access(signed_by, R_OK) == 0)
		snprintf(m->keyring, sizeof(m->keyring), "%s", signed_by);
	else
		snprintf(m->keyring, sizeof(m->keyring), "%s", DEFAULT_KEYRING);
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* A deb822 .sources file: stanzas of "Field: value" separated by blank lines. */
static bool parse_deb822(const char *path, struct mirror *m)
{
	char line[1024], types[256] = "", uris[1024] = "", suites[256] = "", comps[256] = "",
			 signed_by[PATH_MAX] = "", enabled[16] = "yes";
	char *field = NULL; /* the field a continuation line belongs to */
	size_t fieldlen = 0;
	bool found = false, eof = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (!found && !eof) {
		eof = !fgets(line, sizeof(line), f);
		char *t = eof ? (char *)"" : trim(line);
		if (!eof && line[0] == '#')
			continue;
		if (!*t) { /* end of a stanza */
			if (list_has(types, "deb", false) && list_has(suites, NULL, true) &&
			    list_has(comps, "main", false) && strcmp(enabled, "no") &&
			    first_uri(uris, m->uri, sizeof(m->uri))) {
				set_keyring(m, signed_by);
				found = true;
			}
			types[0] = uris[0] = suites[0] = comps[0] = signed_by[0] = 0;
			snprintf(enabled, sizeof(enabled), "yes");
			field = NULL;
			continue;
		}
		if (isspace((unsigned char)line[0])) { /* a continuation line */
			if (field && fieldlen > strlen(field) + strlen(t) + 2)
				strcat(strcat(field, " "), t);
			continue;
		}
		char *colon = strchr(t, ':');
		if (!colon)
			continue;
		*colon = 0;
		char *v = trim(colon + 1);
		field = NULL;
		if (!strcasecmp(t, "Types"))
			field = types, fieldlen = sizeof(types);
		else if (!strcasecmp(t, "URIs"))
			field = uris, fieldlen = sizeof(uris);
		else if (!strcasecmp(t, "Suites"))
			field = suites, fieldlen = sizeof(suites);
		else if (!strcasecmp(t, "Components"))
			field = comps, fieldlen = sizeof(comps);
		else if (!strcasecmp(t, "Signed-By"))
			field = signed_by, fieldlen = sizeof(signed_by);
		else if (!strcasecmp(t, "Enabled"))
			field = enabled, fieldlen = sizeof(enabled);
		if (field)
			snprintf(field, fieldlen, "%s", v);
	}
	fclose(f);
	return found;
}

/* A one-line .list file: "deb [opt=val ...] URI SUITE COMPONENT...". */
static bool parse_list(const char *path, struct mirror *m)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *t = trim(line), *save = NULL, signed_by[PATH_MAX] = "";
		char *hash = strchr(t, '#');
		if (hash)
			*hash = 0;
		char *w = strtok_r(t, " \t", &save);
		if (!w || strcmp(w, "deb"))
			continue;
		w = strtok_r(NULL, " \t", &save);
		if (w && w[0] == '[') { /* options up to the closing bracket */
			for (; w; w = strtok_r(NULL, " \t", &save)) {
				char *o = w + (w[0] == '[');
				if (!strncmp(o, "signed-by=", 10)) {
					snprintf(signed_by, sizeof(signed_by), "%s", o + 10);
					signed_by[strcspn(signed_by, "]")] = 0;
				}
				if (strchr(w, ']'))
					break;
			}
			w = w ? strtok_r(NULL, " \t", &save) : NULL;
		}
		char *uri = w, *suite = strtok_r(NULL, " \t", &save), *rest = save;
		if (!uri || !suite || !is_codename(suite) || !rest ||
		    !list_has(rest, "main", false))
			continue;
		if (first_uri(uri, m->uri, sizeof(m->uri))) {
			set_keyring(m, signed_by);
			found = true;
		}
	}
	fclose(f);
	return found;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* The machine's Debian mirror: sources.list, then sources.list.d in name order. */
int apt_find_mirror(struct mirror *m, char *why, size_t whylen)
{
	struct dirent **names = NULL;
	char path[PATH_MAX];
	int n;
	bool found = parse_list("/etc/apt/sources.list", m);

	n = found ? 0 : scandir("/etc/apt/sources.list.d", &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/etc/apt/sources.list.d/%s", names[i]->d_name);
		if (!found && ends_with(path, ".sources"))
			found = parse_deb822(path, m);
		else if (!found && ends_with(path, ".list"))
			found = parse_list(path, m);
		free(names[i]);
	}
	free(names);
	if (!found)
		snprintf(why, whylen,
			 "no Debian mirror in /etc/apt (sources.list or sources.list.d/*.sources, "
			 "*.list): a 'deb' entry for a Debian suite with 'main' is needed to fetch "
			 "kernels");
	return found ? 0 : -1;
}

/* The first value of "@key: value" in a file (apt-cache's output), into @out. */
bool apt_field(const char *path, const char *key, char *out, size_t len)
{
	char line[1024];
	size_t k = strlen(key);
	bool found = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *t = trim(line);
		if (!strncmp(t, key, k) && t[k] == ':') {
			snprintf(out, len, "%s", trim(t + k + 1));
			out[strcspn(out, " \t")] = 0; /* "linux-image-X (= ver)" -> the name */
			found = out[0] != 0;
		}
	}
	fclose(f);
	return found;
}
