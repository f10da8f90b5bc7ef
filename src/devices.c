/* The leaf's device filter (include/ringfence/devices.h).
 *
 * cgroup v2 decides device access (open, and mknod) by asking the
 * BPF_PROG_TYPE_CGROUP_DEVICE programs attached to the cgroup and its
 * ancestors; each must answer 1. The program written here checks the rules
 * from the last to the first and answers for the first one that matches;
 * nothing matching is a refusal:
 *
 *   r2 = ctx->access_type; r3 = r2 & 0xffff (type); r4 = r2 >> 16 (access)
 *   r5 = ctx->major; r6 = ctx->minor
 *   for each rule, last first:
 *       type: r3 == T, unless the rule is for any type
 *       access: an allow rule must cover all of r4, a deny rule any of it
 *       major, minor: equal, unless a wildcard
 *       then r0 = allow; exit
 *   r0 = 0; exit
 *
 * As in runc and crun: a container's /dev holds only what it was given, and
 * this keeps a payload that may mknod (CAP_MKNOD) from opening a host disk
 * through a node it made itself. */
#include "config.h"

#include <errno.h>
#include <linux/bpf.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ringfence/cleanup.h"
#include "ringfence/devices.h"
#include "ringfence/isolation.h"

/* The kernel's limit for a program loaded without CAP_BPF, far above what a
 * bundle's rules take (at most 8 instructions each). */
#define MAX_INSNS 4096
#define LOG_SIZE 4096

/* runc's allowed devices (libcontainer/specconv), after the bundle's rules. */
static const rf_devrule default_rules[] = {
	{ true, 'c', -1, -1, RF_DEV_MKNOD },   /* make any node; opening it is decided below */
	{ true, 'b', -1, -1, RF_DEV_MKNOD },
	{ true, 'c', 1, 3, 7 },                /* null */
	{ true, 'c', 1, 8, 7 },                /* random */
	{ true, 'c', 1, 7, 7 },                /* full */
	{ true, 'c', 5, 0, 7 },                /* tty */
	{ true, 'c', 1, 5, 7 },                /* zero */
	{ true, 'c', 1, 9, 7 },                /* urandom */
	{ true, 'c', 136, -1, 7 },             /* the pts instance's terminals */
	{ true, 'c', 5, 2, 7 },                /* ptmx */
	{ true, 'c', 10, 200, 7 },             /* tun: last, kept only with a network namespace
						* of the container's own (runc 1.1's list) */
};

int rf_devices_plan(rf_plan *plan, rf_error *err)
{
	rf_limits *l = &plan->limits;
	size_t n = l->n_dev_rules + RF_ARRAY_SIZE(default_rules) + plan->iso.n_devices;
	rf_devrule *rules = realloc(l->dev_rules, n * sizeof(*rules));

	if (!rules)
		return rf_error_set(err, ENOMEM, "the device rules");
	memcpy(rules + l->n_dev_rules, default_rules, sizeof(default_rules));
	l->n_dev_rules += RF_ARRAY_SIZE(default_rules);
	/* A tun device made in the host's network namespace is the host's. */
	if (!((plan->iso.ns_flags | rf_ns_joined_flags(&plan->iso)) & CLONE_NEWNET))
		l->n_dev_rules--;
	for (size_t i = 0; i < plan->iso.n_devices; i++) {
		const rf_device *d = &plan->iso.devices[i];

		/* a fifo is no device to the cgroup */
		if (d->type == 'p')
			continue;
		rules[l->n_dev_rules++] = (rf_devrule){ true, d->type, d->major, d->minor, 7 };
	}
	l->dev_rules = rules;
	l->dev_rules_set = true;
	return 0;
}

/* ---- instructions ------------------------------------------------------- */

struct prog {
	struct bpf_insn *insn;
	size_t n, cap;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (p->n < p->cap)
		p->insn[p->n] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
						   .off = off, .imm = imm };
	p->n++;
}

/* A conditional jump to `target` (an instruction index). */
static void jump(struct prog *p, uint8_t op, uint8_t reg, int32_t imm, size_t target)
{
	emit(p, BPF_JMP | op | BPF_K, reg, 0, (int16_t)(target - (p->n + 1)), imm);
}

/* How many instructions rule r takes (so its jumps know where it ends). */
static size_t rule_len(const rf_devrule *r)
{
	return (r->type != 'a') + 3 + (r->major >= 0) + (r->minor >= 0) + 2;
}

static void emit_rule(struct prog *p, const rf_devrule *r)
{
	size_t end = p->n + rule_len(r);
	unsigned acc = r->access & 7;

	if (r->type != 'a')
		jump(p, BPF_JNE, BPF_REG_3, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR,
		     end);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_7, BPF_REG_4, 0, 0);
	if (r->allow) {
		emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_7, 0, 0, (int32_t)(~acc & 7));
		jump(p, BPF_JNE, BPF_REG_7, 0, end);
	} else {
		emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_7, 0, 0, (int32_t)acc);
		jump(p, BPF_JEQ, BPF_REG_7, 0, end);
	}
	if (r->major >= 0)
		jump(p, BPF_JNE, BPF_REG_5, (int32_t)r->major, end);
	if (r->minor >= 0)
		jump(p, BPF_JNE, BPF_REG_6, (int32_t)r->minor, end);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

int rf_devices_program(const rf_devrule *rules, size_t n_rules, void *insns, size_t cap,
		       size_t *n, rf_error *err)
{
	struct prog p = { .insn = insns, .cap = cap };
	const int32_t at = offsetof(struct bpf_cgroup_dev_ctx, access_type);
	const int32_t maj = offsetof(struct bpf_cgroup_dev_ctx, major);
	const int32_t min = offsetof(struct bpf_cgroup_dev_ctx, minor);

	emit(&p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, (int16_t)at, 0);
	emit(&p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
	emit(&p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_3, 0, 0, 0xffff);
	emit(&p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_4, BPF_REG_2, 0, 0);
	emit(&p, BPF_ALU | BPF_RSH | BPF_K, BPF_REG_4, 0, 0, 16);
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, (int16_t)maj, 0);
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_6, BPF_REG_1, (int16_t)min, 0);
	for (size_t i = n_rules; i-- > 0;)
		emit_rule(&p, &rules[i]);
	emit(&p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	emit(&p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	*n = p.n;
	if (p.n > cap)
		return rf_error_set(err, E2BIG, "linux.resources.devices: %zu rules are more than "
				    "one device program can hold", n_rules);
	return 0;
}

/* ---- loading ------------------------------------------------------------ */

int rf_devices_attach(int cgroup_fd, const rf_limits *l, const rf_diag *diag, rf_error *err)
{
	cleanup_free struct bpf_insn *insns = NULL;
	cleanup_free char *log = NULL;
	cleanup_close int prog = -1;
	union bpf_attr load, attach;
	size_t n;

	if (!l->dev_rules_set)
		return 0;
	insns = calloc(MAX_INSNS, sizeof(*insns));
	log = calloc(1, LOG_SIZE);
	if (!insns || !log)
		return rf_error_set(err, ENOMEM, "the device program");
	if (rf_devices_program(l->dev_rules, l->n_dev_rules, insns, MAX_INSNS, &n, err) < 0)
		return -1;
	memset(&load, 0, sizeof(load));
	load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	load.insns = (uint64_t)(uintptr_t)insns;
	load.insn_cnt = (uint32_t)n;
	load.license = (uint64_t)(uintptr_t)"GPL";
	prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof(load));
	if (prog < 0 && errno != EPERM) {
		/* Again with the verifier's log, for the message (a log that does
		 * not fit would fail even a good program, hence not the first time). */
		load.log_buf = (uint64_t)(uintptr_t)log;
		load.log_size = LOG_SIZE;
		load.log_level = 1;
		prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof(load));
	}
	if (prog < 0 && errno == EPERM && geteuid() != 0) {
		rf_note(diag, "linux.resources.devices: left out, loading a device program takes "
			"root; in a user namespace the payload can make no device nodes either");
		return 0;
	}
	if (prog < 0)
		return rf_error_set(err, errno, "load the device program%s%.200s",
				    log[0] ? ": " : "", log);
	memset(&attach, 0, sizeof(attach));
	attach.target_fd = (uint32_t)cgroup_fd;
	attach.attach_bpf_fd = (uint32_t)prog;
	attach.attach_type = BPF_CGROUP_DEVICE;
	/* Beside any program of an ancestor's: each must allow. */
	attach.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof(attach)) < 0)
		return rf_error_set(err, errno, "attach the device program to the leaf");
	return 0;
}
