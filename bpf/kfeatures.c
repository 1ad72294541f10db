/* SPDX-License-Identifier: MIT */
/*
 * kfeatures.c - the kernel's features, probed once (see kfeatures.h and, for the
 * kernel commits behind each, compat.bpf.h).
 *
 *	tp_btf      load "r0 = 0; exit" as a tp_btf program on sched_switch
 *	task_regs   load a tp_btf program that passes sched_switch's prev task to
 *		    bpf_task_pt_regs (5.15), and create a task storage map: where
 *		    both work, so do bpf_get_current_task_btf and task storage in
 *		    tracing programs, which came earlier
 *	data_ready  the kernel's BTF has sk_data_ready's btf_trace_ typedef
 *	rdonly_cast the kernel's BTF has the bpf_rdonly_cast kfunc (it came, in 6.2,
 *		    in the set every program type may call)
 *	fexit       load "r0 = 0; exit" as an fexit program on the fork function
 *		    (kernel_clone, or _do_fork) and attach it: where ftrace's
 *		    function tracing is locked or absent, the attach fails (this
 *		    host: EPERM) and the tracer stays on system-call tracepoints
 *	accept_args the parameters of inet_csk_accept's prototype in that BTF
 *	uring_res   the parameters of io_uring_complete's prototype in that BTF
 *	fate_args   how many arguments each fate tracepoint's prototype has there
 *
 * The probe programs are built by hand, a few instructions each, and closed at
 * once; nothing of them stays loaded.
 */
#include "kfeatures.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

/* The BTF id of tracepoint @name's btf_trace_ typedef (what a tp_btf program attaches to), or 0. */
static int tracepoint_btf_id(const struct btf *btf, const char *name)
{
	char type[128];
	int id;

	if (!btf || snprintf(type, sizeof(type), "btf_trace_%s", name) >= (int)sizeof(type))
		return 0;
	id = btf__find_by_name_kind(btf, type, BTF_KIND_TYPEDEF);
	return id > 0 ? id : 0;
}

/* Whether @insns load as a tp_btf program on tracepoint @btf_id. */
static bool tp_btf_loads(int btf_id, const struct bpf_insn *insns, size_t n)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_RAW_TP,
		    .attach_btf_id = (__u32)btf_id);
	int fd;

	if (!btf_id)
		return false;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, n, &opts);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* The parameters of kernel function @name's prototype in @btf (-1 without it). */
static int func_nargs(const struct btf *btf, const char *name)
{
	int id = btf ? btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) : -1;
	const struct btf_type *ty = id > 0 ? btf__type_by_id(btf, id) : NULL;

	if (ty)
		ty = btf__type_by_id(btf, ty->type);
	return ty && btf_is_func_proto(ty) ? btf_vlen(ty) : -1;
}

/* Whether a do-nothing fexit program on function @btf_id loads and attaches (0) or -errno. */
static int probe_fexit(int btf_id, bool *loaded)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FEXIT,
		    .attach_btf_id = (__u32)btf_id);
	int fd, link, err = 0;

	if (btf_id <= 0)
		return -ENOENT;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &opts);
	if (fd < 0)
		return -errno;
	*loaded = true;
	link = bpf_raw_tracepoint_open(NULL, fd); /* a tracing program's attach */
	if (link < 0)
		err = -errno;
	else
		close(link);
	close(fd);
	return err;
}

static bool probe_tp_btf(int sched_switch)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return tp_btf_loads(sched_switch, insns, sizeof(insns) / sizeof(insns[0]));
}

static bool probe_task_regs(int sched_switch)
{
	/* sched_switch(bool preempt, struct task_struct *prev, ...): prev is the second u64 */
	const struct bpf_insn insns[] = {
		{ .code = BPF_LDX | BPF_MEM | BPF_DW,
		  .dst_reg = BPF_REG_1,
		  .src_reg = BPF_REG_1,
		  .off = 8 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_task_pt_regs },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return tp_btf_loads(sched_switch, insns, sizeof(insns) / sizeof(insns[0])) &&
	       libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 1;
}

/*
 * io_uring_complete's layout (enum herd_uring_res), from its prototype
 * "void (*)(void *__data, ARGS...)": args[i] of a raw_tp program is parameter
 * i + 1. A pointer third argument is the CQE (6.13+); else a pointer second
 * argument is the request (5.18+), with the result after user_data.
 */
static enum herd_uring_res probe_uring_res(const struct btf *btf)
{
	int id = tracepoint_btf_id(btf, "io_uring_complete");
	const struct btf_type *ty = id ? btf__type_by_id(btf, id) : NULL;

	if (ty)
		ty = btf__type_by_id(btf, ty->type); /* the pointer */
	if (ty && btf_is_ptr(ty))
		ty = btf__type_by_id(btf, ty->type); /* the function prototype */
	if (!ty || !btf_is_func_proto(ty))
		return URING_RES_CQE; /* no such tracepoint: its program will not attach */

	const struct btf_param *p = btf_params(ty);
	int n = btf_vlen(ty);
	bool ptr[4] = { false };
	for (int i = 1; i < n && i < 4; i++) {
		int t = btf__resolve_type(btf, p[i].type); /* through typedefs and const */
		const struct btf_type *pt = t > 0 ? btf__type_by_id(btf, t) : NULL;
		ptr[i] = pt && btf_is_ptr(pt);
	}
	if (ptr[3])
		return URING_RES_CQE;
	return ptr[2] ? URING_RES_ARG3 : URING_RES_ARG2;
}

/* The arguments of tracepoint @name ("void (*)(void *__data, ARGS...)"), or 0 without it. */
static int tracepoint_nargs(const struct btf *btf, const char *name)
{
	int id = tracepoint_btf_id(btf, name);
	const struct btf_type *ty = id ? btf__type_by_id(btf, id) : NULL;

	if (ty)
		ty = btf__type_by_id(btf, ty->type);
	if (ty && btf_is_ptr(ty))
		ty = btf__type_by_id(btf, ty->type);
	return ty && btf_is_func_proto(ty) && btf_vlen(ty) > 0 ? btf_vlen(ty) - 1 : 0;
}

void kfeatures_probe(struct kfeatures *f)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int sched_switch = tracepoint_btf_id(btf, "sched_switch");

	f->tp_btf = probe_tp_btf(sched_switch);
	f->task_regs = f->tp_btf && probe_task_regs(sched_switch);
	f->data_ready = tracepoint_btf_id(btf, "sk_data_ready") > 0;
	f->rdonly_cast = btf && btf__find_by_name_kind(btf, "bpf_rdonly_cast", BTF_KIND_FUNC) > 0;
	f->uring_res = probe_uring_res(btf);
	f->clone_fn = func_nargs(btf, "kernel_clone") >= 0 ? "kernel_clone"
		      : func_nargs(btf, "_do_fork") >= 0   ? "_do_fork"
							   : NULL;
	f->accept_args = func_nargs(btf, "inet_csk_accept");
	f->fexit_loaded = false;
	f->fexit_err =
		f->clone_fn ? probe_fexit(btf__find_by_name_kind(btf, f->clone_fn, BTF_KIND_FUNC),
					  &f->fexit_loaded)
			    : -ENOENT;
	f->fexit = f->fexit_err == 0;
	f->fexit_err = -f->fexit_err;
#define FATE_NARGS(name, args) f->fate_args[FATE_TP_##name] = tracepoint_nargs(btf, #name);
	HERD_FATE_TPS(FATE_NARGS)
#undef FATE_NARGS
	btf__free(btf);
}
