/* SPDX-License-Identifier: MIT */
/* traceprogs.c - which of the tracer's programs this kernel runs (traceprogs.h). */
#include "traceprogs.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "herd.h"
#include "kfeatures.h"
#include "log.h"

static bool env_is_1(const char *name)
{
	const char *v = getenv(name);

	return v && *v == '1';
}

/* Fate tracepoint @i's tp_btf program and its raw_tp twin. */
static void fate_twins(struct herd_bpf *s, int i, struct bpf_program **btf,
		       struct bpf_program **raw)
{
	switch (i) {
#define FATE_CASE(name, args)               \
	case FATE_TP_##name:                \
		*btf = s->progs.name##_btf; \
		*raw = s->progs.name##_raw; \
		break;
		HERD_FATE_TPS(FATE_CASE)
#undef FATE_CASE
	}
}

int traceprogs_fate_of(struct herd_bpf *s, const struct bpf_program *prog)
{
	for (int i = 0; i < FATE_TPS; i++) {
		struct bpf_program *btf, *raw;
		fate_twins(s, i, &btf, &raw);
		if (prog == btf || prog == raw)
			return i;
	}
	return -1;
}

/*
 * The fexit path (attach.h): its programs instead of every system call's, the
 * accept twin for this kernel's inet_csk_accept, the fork function by name.
 */
static void choose_fexit(struct herd_bpf *s, const struct trace_choice *c,
			 const struct kfeatures *f)
{
	bool fexit = c->attach == ATTACH_FEXIT;
	struct bpf_program *prog;

	if (fexit) { /* no system-call tracepoint at all */
		bpf_object__for_each_program(prog, s->obj) {
			if (bpf_program__type(prog) == BPF_PROG_TYPE_TRACEPOINT &&
			    !strncmp(bpf_program__section_name(prog), "tracepoint/syscalls/", 20))
				bpf_program__set_autoload(prog, false);
		}
	}
	bpf_program__set_autoload(s->progs.fexit_accept_err, fexit && f->accept_args == 4);
	bpf_program__set_autoload(s->progs.fexit_accept_arg, fexit && f->accept_args == 2);
	bpf_program__set_autoload(s->progs.fentry_clone, fexit);
	bpf_program__set_autoload(s->progs.fexit_clone, fexit);
	bpf_program__set_autoload(s->progs.fentry_release_task, fexit);
	if (fexit && f->clone_fn) {
		bpf_program__set_attach_target(s->progs.fentry_clone, 0, f->clone_fn);
		bpf_program__set_attach_target(s->progs.fexit_clone, 0, f->clone_fn);
	}
}

int traceprogs_choose(struct herd_bpf *s, enum tracer_attach want, struct trace_choice *c)
{
	struct kfeatures f;
	char why[256] = "";

	*c = (struct trace_choice){ 0 };
	kfeatures_probe(&f);
	c->raw_tp = !f.tp_btf || env_is_1("HERDLAB_RAW_TP");
	c->wait_from_regs = !c->raw_tp && f.task_regs && !env_is_1("HERDLAB_SYS_ENTER");
	c->task_storage = c->wait_from_regs; /* every kernel with the one has the other */
	c->data_ready = f.data_ready;
	c->cast = f.rdonly_cast && !env_is_1("HERDLAB_NO_CAST");
	int path = attach_choose(want, f.fexit, f.fexit_err, f.fexit_loaded,
				 c->wait_from_regs && f.accept_args >= 2 && f.clone_fn, why,
				 sizeof(why));
	if (path < 0) {
		log_warn("--attach fexit: %s", why);
		return -EOPNOTSUPP;
	}
	c->attach = (enum tracer_attach)path;
	if (c->attach == ATTACH_FEXIT)
		log_info("accepts, forks and reaps at fexit (inet_csk_accept, %s, release_task): "
			 "no system-call tracepoint",
			 f.clone_fn);
	else if (f.fexit)
		log_info("accepts, forks and reaps at system-call tracepoints (%s)",
			 want == ATTACH_TRACEPOINTS ? "as asked" : "fexit needs Linux 5.15+");
	else
		log_info("accepts, forks and reaps at system-call tracepoints: fentry/fexit "
			 "refused here (%s an fexit program: %s)",
			 f.fexit_loaded ? "attaching" : "loading", strerror(f.fexit_err));

	s->rodata->wait_from_regs = c->wait_from_regs;
	s->rodata->task_storage = c->task_storage;
	s->rodata->have_data_ready = c->data_ready;
	s->rodata->uring_res = f.uring_res;
	bpf_map__set_autocreate(s->maps.task_store, c->task_storage);

	/* Each tracepoint's tp_btf program and its raw_tp twin: one of them, if any. */
	const struct {
		struct bpf_program *btf, *raw;
		bool wanted;
	} twins[] = {
		{ s->progs.sched_switch_btf, s->progs.sched_switch_raw, true },
		{ s->progs.sched_waking_btf, s->progs.sched_waking_raw, true },
		{ s->progs.sched_wakeup_new_btf, s->progs.sched_wakeup_new_raw, true },
		{ s->progs.sched_migrate_task_btf, s->progs.sched_migrate_task_raw, true },
		{ s->progs.sched_process_fork_btf, s->progs.sched_process_fork_raw, true },
		{ s->progs.sched_process_exit_btf, s->progs.sched_process_exit_raw, true },
		{ s->progs.sched_process_free_btf, s->progs.sched_process_free_raw, true },
		{ s->progs.sched_process_exec_btf, s->progs.sched_process_exec_raw, true },
		{ s->progs.inet_sock_set_state_btf, s->progs.inet_sock_set_state_raw, true },
		{ s->progs.sk_data_ready_btf, s->progs.sk_data_ready_raw, c->data_ready },
	};
	for (size_t i = 0; i < sizeof(twins) / sizeof(twins[0]); i++) {
		bpf_program__set_autoload(twins[i].btf, twins[i].wanted && !c->raw_tp);
		bpf_program__set_autoload(twins[i].raw, twins[i].wanted && c->raw_tp);
	}

	/* The system calls: all of them, or with waits from registers those marked. */
	bool regs = c->wait_from_regs;
#define CHOOSE_SYSCALL(name, exit, keep)                                              \
	bpf_program__set_autoload(s->progs.enter_##name,                              \
				  !regs || SYSCALL_REGS_##keep == SYSCALL_REGS_BOTH); \
	bpf_program__set_autoload(s->progs.exit_##name,                               \
				  !regs || SYSCALL_REGS_##keep != SYSCALL_REGS_NONE);
	HERD_SYSCALLS(CHOOSE_SYSCALL)
#undef CHOOSE_SYSCALL
	/* accept's exits: the twin that reads through bpf_rdonly_cast where there is one. */
	struct bpf_program *accepts[][2] = {
		{ s->progs.exit_accept, s->progs.exit_accept_cast },
		{ s->progs.exit_accept4, s->progs.exit_accept4_cast },
	};
	for (size_t i = 0; i < sizeof(accepts) / sizeof(accepts[0]); i++) {
		bool wanted = bpf_program__autoload(accepts[i][0]);
		bpf_program__set_autoload(accepts[i][0], wanted && !c->cast);
		bpf_program__set_autoload(accepts[i][1], wanted && c->cast);
	}

	/* The fates' tracepoints: each where it exists with the arguments its program reads. */
	static const int fate_min_args[FATE_TPS] = {
#define FATE_MIN(name, args) [FATE_TP_##name] = args,
		HERD_FATE_TPS(FATE_MIN)
#undef FATE_MIN
	};
	for (int i = 0; i < FATE_TPS; i++) {
		struct bpf_program *btf, *raw;
		fate_twins(s, i, &btf, &raw);
		bool wanted = f.fate_args[i] >= fate_min_args[i];
		bpf_program__set_autoload(btf, wanted && !c->raw_tp);
		bpf_program__set_autoload(raw, wanted && c->raw_tp);
		if (!wanted)
			c->fates_absent |= 1u << i;
	}
	s->rodata->send_reset_reason = f.fate_args[FATE_TP_tcp_send_reset] >= 3;

	choose_fexit(s, c, &f);

	/* Task storage's iterators (run on demand, never attached). */
	bpf_program__set_autoload(s->progs.adopt, c->task_storage);
	bpf_program__set_autoload(s->progs.snapshot, c->task_storage);
	/* io_uring_complete_raw is raw_tp on every kernel: loaded as it is. */
	return 0;
}
