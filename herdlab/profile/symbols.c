/* SPDX-License-Identifier: MIT */
/* symbols.c - kernel and user addresses to function names (symbols.h). */
#include "profile/symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "vec.h"

/* One function: [addr, addr + size) (size 0: up to the next one). */
struct sym {
	uint64_t addr, size;
	char *name; /* owned */
};

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The symbol containing @addr in the sorted @syms, or NULL. */
static const struct sym *sym_find(const struct sym *syms, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) { /* the first symbol above addr */
		size_t mid = lo + (hi - lo) / 2;
		if (syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct sym *s = &syms[lo - 1];
	if (s->size && addr >= s->addr + s->size)
		return NULL;
	return s;
}

static void syms_free(struct sym *syms, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(syms[i].name);
	free(syms);
}

/* ---- the kernel ------------------------------------------------------------------------ */

struct ksyms {
	struct sym *syms; /* text symbols, sorted */
	size_t n;
};

int ksyms_load(struct ksyms **out, bool *hidden)
{
	struct vec v = VEC_INIT(struct sym);
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], name[256], type;
	uint64_t addr;
	bool any = false;

	*out = NULL;
	*hidden = false;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3)
			continue;
		any |= addr != 0;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		struct sym *s = vec_push(&v);
		if (!s || !(s->name = strdup(name))) {
			size_t n;
			fclose(f);
			s = vec_take(&v, &n);
			syms_free(s, n);
			return -ENOMEM;
		}
		s->addr = addr;
	}
	fclose(f);
	struct ksyms *k = calloc(1, sizeof(*k));
	if (!k) {
		size_t n;
		struct sym *s = vec_take(&v, &n);
		syms_free(s, n);
		return -ENOMEM;
	}
	k->syms = vec_take(&v, &k->n);
	*hidden = !any;
	if (!any) { /* every address reads 0: no name can be told apart */
		syms_free(k->syms, k->n);
		k->syms = NULL, k->n = 0;
	}
	qsort(k->syms, k->n, sizeof(*k->syms), sym_cmp);
	*out = k;
	return 0;
}

const char *ksyms_name(const struct ksyms *k, uint64_t addr)
{
	const struct sym *s = k ? sym_find(k->syms, k->n, addr) : NULL;

	return s ? s->name : "[kernel]";
}

void ksyms_free(struct ksyms *k)
{
	if (k)
		syms_free(k->syms, k->n);
	free(k);
}

/* ---- ELF files ------------------------------------------------------------------------- */

#define MAX_SEGS 16 /* PT_LOAD headers kept per file */

/* One mapped file's symbols and loadable segments, read once per (device, inode). */
struct elf_file {
	dev_t dev;
	ino_t ino;
	struct sym *syms; /* functions (.symtab, else .dynsym), sorted */
	size_t n;
	struct {
		uint64_t off, vaddr, filesz;
	} segs[MAX_SEGS]; /* PT_LOAD: file offset -> the address the symbols use */
	int nsegs;
};

/* The functions of section @scn (a symbol table) appended to @v; -ENOMEM or 0. */
static int read_symtab(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, struct vec *v)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	GElf_Sym sym;

	for (size_t i = 0; d && i < n; i++) {
		if (!gelf_getsym(d, (int)i, &sym) || !sym.st_value ||
		    (GELF_ST_TYPE(sym.st_info) != STT_FUNC &&
		     GELF_ST_TYPE(sym.st_info) != STT_GNU_IFUNC))
			continue;
		const char *name = elf_strptr(e, sh->sh_link, sym.st_name);
		struct sym *s = name && *name ? vec_push(v) : NULL;
		if (name && *name && (!s || !(s->name = strdup(name))))
			return -ENOMEM;
		if (s)
			s->addr = sym.st_value, s->size = sym.st_size;
	}
	return 0;
}

/* @fd's symbols and segments into @f; 0 or -1 (not an ELF file: no symbols, not an error). */
static int read_elf(int fd, struct elf_file *f)
{
	struct vec v = VEC_INIT(struct sym);
	Elf *e;
	size_t nph;
	int rc = -1;

	if (elf_version(EV_CURRENT) == EV_NONE || !(e = elf_begin(fd, ELF_C_READ, NULL)))
		return -1;
	if (elf_kind(e) != ELF_K_ELF || elf_getphdrnum(e, &nph))
		goto out;
	for (size_t i = 0; i < nph && f->nsegs < MAX_SEGS; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD) {
			f->segs[f->nsegs].off = ph.p_offset;
			f->segs[f->nsegs].vaddr = ph.p_vaddr;
			f->segs[f->nsegs++].filesz = ph.p_filesz;
		}
	}
	/* .symtab is the whole table; a stripped file has only .dynsym's exports */
	static const unsigned tables[] = { SHT_SYMTAB, SHT_DYNSYM };
	for (int t = 0; t < 2 && !v.len; t++) {
		Elf_Scn *scn = NULL;
		GElf_Shdr sh;
		while ((scn = elf_nextscn(e, scn)))
			if (gelf_getshdr(scn, &sh) && sh.sh_type == tables[t] &&
			    read_symtab(e, scn, &sh, &v) < 0)
				goto out;
	}
	f->syms = vec_take(&v, &f->n);
	qsort(f->syms, f->n, sizeof(*f->syms), sym_cmp);
	rc = 0;
out:
	if (v.len) {
		size_t n;
		struct sym *s = vec_take(&v, &n);
		syms_free(s, n);
	}
	elf_end(e);
	return rc;
}

/* The address in @f's symbol tables of file offset @off, or 0 when no segment holds it. */
static uint64_t elf_vaddr(const struct elf_file *f, uint64_t off)
{
	for (int i = 0; i < f->nsegs; i++)
		if (off >= f->segs[i].off && off < f->segs[i].off + f->segs[i].filesz)
			return off - f->segs[i].off + f->segs[i].vaddr;
	return 0;
}

/* ---- processes ------------------------------------------------------------------------- */

/* One executable mapping of a process. */
struct mapping {
	uint64_t start, end, off; /* [start, end) maps the file from offset off */
	struct elf_file *file;	  /* its symbols (NULL: not a file, or unreadable) */
	char *label;		  /* "[libc.so.6]": an address without a symbol */
};

struct procmaps {
	pid_t pid;
	struct mapping *maps;
	size_t n;
};

struct usyms {
	struct vec procs;  /* struct procmaps */
	struct vec files;  /* struct elf_file *: every file read, by (dev, inode) */
	struct vec missed; /* pid_t: pids looked up without maps of their own */
	pid_t fallback;	   /* whose maps those borrow */
};

struct usyms *usyms_new(void)
{
	struct usyms *u = calloc(1, sizeof(*u));

	if (u) {
		u->procs = (struct vec)VEC_INIT(struct procmaps);
		u->files = (struct vec)VEC_INIT(struct elf_file *);
		u->missed = (struct vec)VEC_INIT(pid_t);
	}
	return u;
}

static struct procmaps *find_proc(const struct usyms *u, pid_t pid)
{
	for (size_t i = u->procs.len; i-- > 0;) {
		struct procmaps *p = vec_at(&u->procs, i);
		if (p->pid == pid)
			return p;
	}
	return NULL;
}

/* The file mapped at [start, end) of @pid, by (dev, ino): read once, through map_files. */
static struct elf_file *file_of(struct usyms *u, pid_t pid, uint64_t start, uint64_t end, dev_t dev,
				ino_t ino, const char *path)
{
	char link[96];
	int fd;

	for (size_t i = 0; i < u->files.len; i++) {
		struct elf_file *f = *(struct elf_file **)vec_at(&u->files, i);
		if (f->dev == dev && f->ino == ino)
			return f;
	}
	struct elf_file *f = calloc(1, sizeof(*f)), **slot = f ? vec_push(&u->files) : NULL;
	if (!slot) {
		free(f);
		return NULL;
	}
	*slot = f;
	f->dev = dev, f->ino = ino;
	/* map_files reaches the very file mapped, even deleted or in another mount namespace */
	snprintf(link, sizeof(link), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid, start,
		 end);
	if ((fd = open(link, O_RDONLY | O_CLOEXEC)) < 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		read_elf(fd, f);
		close(fd);
	}
	return f;
}

/* "[NAME]" for the mapping of @path (its base name), allocated. */
static char *label_of(const char *path)
{
	const char *base = strrchr(path, '/');
	char *l;

	if (*path == '[')
		return strdup(path);
	return asprintf(&l, "[%s]", base ? base + 1 : *path ? path : "unknown") < 0 ? NULL : l;
}

int usyms_read_pid(struct usyms *u, pid_t pid)
{
	char path[64], line[PATH_MAX + 128], file[PATH_MAX], perms[8];
	struct vec maps = VEC_INIT(struct mapping);
	uint64_t start, end, off, ino;
	unsigned maj, min;
	FILE *f;

	if (find_proc(u, pid))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (!(f = fopen(path, "re")))
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		file[0] = 0;
		if (sscanf(line,
			   "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64 " %4095[^\n]",
			   &start, &end, perms, &off, &maj, &min, &ino, file) < 7 ||
		    perms[2] != 'x')
			continue;
		struct mapping *m = vec_push(&maps);
		if (!m)
			break;
		m->start = start, m->end = end, m->off = off;
		m->label = label_of(file);
		if (ino)
			m->file = file_of(u, pid, start, end, makedev(maj, min), (ino_t)ino, file);
	}
	fclose(f);
	struct procmaps *p = vec_push(&u->procs);
	if (!p) {
		for (size_t i = 0; i < maps.len; i++)
			free(((struct mapping *)vec_at(&maps, i))->label);
		vec_free(&maps);
		return -ENOMEM;
	}
	p->pid = pid;
	p->maps = vec_take(&maps, &p->n);
	return 0;
}

void usyms_set_fallback(struct usyms *u, pid_t pid)
{
	u->fallback = pid;
}

/* @pid's maps, or the fallback's (the borrower remembered once). */
static const struct procmaps *maps_of(struct usyms *u, pid_t pid)
{
	const struct procmaps *p = find_proc(u, pid);

	if (p)
		return p;
	bool seen = false;
	for (size_t i = 0; i < u->missed.len && !seen; i++)
		seen = *(pid_t *)vec_at(&u->missed, i) == pid;
	pid_t *slot = seen ? NULL : vec_push(&u->missed);
	if (slot)
		*slot = pid;
	return u->fallback ? find_proc(u, u->fallback) : NULL;
}

const char *usyms_name(struct usyms *u, pid_t pid, uint64_t addr)
{
	const struct procmaps *p = maps_of(u, pid);

	for (size_t i = 0; p && i < p->n; i++) {
		const struct mapping *m = &p->maps[i];
		if (addr < m->start || addr >= m->end)
			continue;
		const struct sym *s = NULL;
		if (m->file) {
			uint64_t va = elf_vaddr(m->file, addr - m->start + m->off);
			s = va ? sym_find(m->file->syms, m->file->n, va) : NULL;
		}
		return s ? s->name : m->label ? m->label : "[unknown]";
	}
	return "[unknown]";
}

size_t usyms_borrowed(const struct usyms *u)
{
	return u->fallback && find_proc(u, u->fallback) ? u->missed.len : 0;
}

void usyms_free(struct usyms *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->procs.len; i++) {
		struct procmaps *p = vec_at(&u->procs, i);
		for (size_t j = 0; j < p->n; j++)
			free(p->maps[j].label);
		free(p->maps);
	}
	for (size_t i = 0; i < u->files.len; i++) {
		struct elf_file *f = *(struct elf_file **)vec_at(&u->files, i);
		syms_free(f->syms, f->n);
		free(f);
	}
	vec_free(&u->procs);
	vec_free(&u->files);
	vec_free(&u->missed);
	free(u);
}
