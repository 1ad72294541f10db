/* SPDX-License-Identifier: MIT */
/*
 * kfeatures.h - what this kernel offers the tracer, probed once before the load.
 *
 * The loader chooses its programs and sets compat.bpf.h's knobs from these, and
 * then loads the object once: no load is tried to see whether it fails. Each
 * probe asks for exactly the thing the programs need (a tiny program loaded and
 * closed, a map type, a type in the kernel's BTF), the way libbpf-tools'
 * runqlat probes tp_btf before choosing between its twins.
 */
#ifndef HERD_KFEATURES_H
#define HERD_KFEATURES_H

#include <stdbool.h>

#include "herd.h"

struct kfeatures {
	bool tp_btf;	      /* BTF-typed tracepoint programs load (else the raw_tp twins) */
	bool task_regs;	      /* bpf_task_pt_regs and task-local storage for tracing programs */
	bool data_ready;      /* the sock:sk_data_ready tracepoint exists */
	bool rdonly_cast;     /* the bpf_rdonly_cast kfunc exists (6.2+; every program type) */
	bool fexit;	      /* a trampoline (fexit) program loads and attaches here */
	int fexit_err;	      /* ... else the errno of the load or the attach */
	bool fexit_loaded;    /* ... and whether it was the attach that failed (it loaded) */
	const char *clone_fn; /* the fork function: kernel_clone or _do_fork (NULL: none) */
	int accept_args;      /* inet_csk_accept's parameters: 4 (..., int *err, kern), 2 (6.10+) */
	enum herd_uring_res uring_res; /* where io_uring_complete carries its result */
	int fate_args[FATE_TPS];       /* each fate tracepoint's arguments (0: it does not exist) */
};

/* Probe the running kernel (needs what loading the programs needs: root or CAP_BPF). */
void kfeatures_probe(struct kfeatures *f);

#endif
