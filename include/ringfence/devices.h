/* Device access of the leaf (cgroup v2 has no devices.allow file: the
 * kernel asks a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup).
 * The rules are linux.resources.devices, read into rf_limits.dev_rules. */
#ifndef RINGFENCE_DEVICES_H
#define RINGFENCE_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

/* Plan time, for a container root: after the bundle's rules, allow what
 * every container gets, as runc does: mknod of any node (the rules decide
 * what may be opened), the default devices (null, zero, full, random,
 * urandom, tty), the pts instance (136:*, ptmx 5:2), tun (10:200), and every
 * linux.devices node. Sets dev_rules_set: a container's devices are always
 * filtered, by default to exactly those. */
int rf_devices_plan(rf_plan *plan, rf_error *err);

/* The rules as BPF instructions (struct bpf_insn, 8 bytes each) into
 * insns[0..*n); `cap` is the room there. Exposed for the unit tests. */
int rf_devices_program(const rf_devrule *rules, size_t n_rules, void *insns, size_t cap,
		       size_t *n, rf_error *err);

/* Run time, supervisor side: load the program and attach it to the cgroup
 * directory `cgroup_fd` (the leaf, before the child is born in it). Nothing
 * when the plan has no rules. Without the privilege to load BPF (not root)
 * the filter is left out; the payload can then make no device nodes either. */
int rf_devices_attach(int cgroup_fd, const rf_limits *l, const rf_diag *diag, rf_error *err);

#endif
