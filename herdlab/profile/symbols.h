/* SPDX-License-Identifier: MIT */
/*
 * symbols.h - addresses to function names: the kernel's from /proc/kallsyms,
 * a process's from the ELF symbol tables of the files it maps.
 *
 *	ksyms_load() / ksyms_name()        the kernel's text symbols, by address
 *	usyms_new() / usyms_read_pid()     a process's executable mappings, read while it lives
 *	usyms_name()                       an address of a process, by its mappings
 *
 * Kernel. /proc/kallsyms lists every symbol with its address; with
 * kernel.kptr_restrict (or without CAP_SYSLOG) the addresses read as 0, and
 * then every kernel frame is "[kernel]" and ksyms_load() says the names are
 * hidden.
 *
 * User. A sampled address means nothing without the process's mappings at
 * the time: /proc/PID/maps says which file (by device and inode) is mapped
 * where and from which offset, and the file's program headers turn that offset
 * into the address its symbol table uses (.symtab, else .dynsym; libelf).
 * Mappings must be read while the process lives; each file is read once per
 * (device, inode) however many processes map it: a fork-per-connection server
 * is thousands of processes mapping the same few files. A process whose maps
 * were never read (it lived between two reads) is looked up in the maps of
 * the fallback process instead (usyms_set_fallback): a child forked without
 * exec maps the same files at the same addresses as its parent. An address in
 * no known file is "[FILE]" (the mapping's name, or "[unknown]").
 */
#ifndef HERD_PROFILE_SYMBOLS_H
#define HERD_PROFILE_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ksyms;

/* 0, or -errno; *@hidden says that kptr_restrict hides the addresses (names are "[kernel]"). */
int ksyms_load(struct ksyms **out, bool *hidden);
/* The function containing @addr ("tcp_sendmsg"), or "[kernel]". */
const char *ksyms_name(const struct ksyms *k, uint64_t addr);
void ksyms_free(struct ksyms *k);

struct usyms;

struct usyms *usyms_new(void);
/* Read @pid's executable mappings, and the symbols of their files, unless already read. */
int usyms_read_pid(struct usyms *u, pid_t pid);
/* Whose mappings a pid never read is looked up in (0: none). */
void usyms_set_fallback(struct usyms *u, pid_t pid);
/* The function containing @addr in @pid ("herdsrv_burn_cpu"), or "[FILE]"; valid until free. */
const char *usyms_name(struct usyms *u, pid_t pid, uint64_t addr);
/* How many pids borrowed the fallback's mappings (their maps were never read). */
size_t usyms_borrowed(const struct usyms *u);
void usyms_free(struct usyms *u);

#endif
