/* Capabilities of the payload, set with capset(2) and prctl(2) directly.
 *
 * A root payload keeps the default set below (or the profile's), plus
 * --cap-add, minus --cap-drop, in its bounding, permitted and effective sets;
 * inheritable and ambient end empty, because those are how capabilities
 * survive an exec into a non-root program. Any other payload keeps nothing,
 * bounding set included. no_new_privs is set (for ringfence's own commands
 * always; a bundle may leave it off), so no setuid binary or file capability
 * can hand anything back.
 *
 * The bounding set can only shrink while CAP_SETPCAP is held, and a switch to
 * a non-root uid clears the process's capabilities: hence two child-side
 * steps around the identity switch (order in include/ringfence/caps.h).
 *
 * A bundle (process.capabilities, with oci_caps) gives all five sets
 * instead, applied exactly as runc does: bounding, then effective, permitted,
 * inheritable and ambient after the uid switch (kept across it with
 * PR_SET_KEEPCAPS), and no_new_privs only when noNewPrivileges is true.
 *
 * No capability library: libcap-ng's constructor read
 * /proc/sys/kernel/cap_last_cap in every process, `--version` included, and
 * the three system calls it wrapped here are as short written out.
 *
 * Capabilities do not contain a root payload that shares the host's
 * filesystem: uid 0 owns most of it. The default set is meant to be used with
 * a mount (and preferably user) namespace; it removes what reaches beyond
 * files: devices, the network, the kernel, other processes. */
#include "config.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fault.h"
#include "ringfence/caps.h"
#include "ringfence/cleanup.h"
#include "ringfence/host.h"

#define CAP(c) (UINT64_C(1) << CAP_##c)

static const char *const cap_names[] = {
#define N(c) [CAP_##c] = "CAP_" #c
	N(CHOWN), N(DAC_OVERRIDE), N(DAC_READ_SEARCH), N(FOWNER), N(FSETID), N(KILL),
	N(SETGID), N(SETUID), N(SETPCAP), N(LINUX_IMMUTABLE), N(NET_BIND_SERVICE),
	N(NET_BROADCAST), N(NET_ADMIN), N(NET_RAW), N(IPC_LOCK), N(IPC_OWNER), N(SYS_MODULE),
	N(SYS_RAWIO), N(SYS_CHROOT), N(SYS_PTRACE), N(SYS_PACCT), N(SYS_ADMIN), N(SYS_BOOT),
	N(SYS_NICE), N(SYS_RESOURCE), N(SYS_TIME), N(SYS_TTY_CONFIG), N(MKNOD), N(LEASE),
	N(AUDIT_WRITE), N(AUDIT_CONTROL), N(SETFCAP), N(MAC_OVERRIDE), N(MAC_ADMIN),
	N(SYSLOG), N(WAKE_ALARM), N(BLOCK_SUSPEND), N(AUDIT_READ), N(PERFMON), N(BPF),
	N(CHECKPOINT_RESTORE),
#undef N
};

/* The default set of a root payload: docker's, less two that reach past a
 * sandbox ringfence builds. Every capability is here with its reason. */
static const uint64_t default_caps =
	CAP(CHOWN) |            /* package installs and builds chown what they make */
	CAP(DAC_OVERRIDE) |     /* root tools expect to read/write regardless of mode bits */
	CAP(FOWNER) |           /* chmod/utime on files it did not create (tar -x, cp -p) */
	CAP(FSETID) |           /* keep setuid/setgid bits when copying or extracting */
	CAP(KILL) |             /* signal its own children after they switched uid */
	CAP(SETGID) |           /* switch to an unprivileged group (su, setpriv, daemons) */
	CAP(SETUID) |           /* switch to an unprivileged user */
	CAP(SETPCAP) |          /* drop its own capabilities further (capsh, setpriv) */
	CAP(SETFCAP) |          /* set file capabilities when building packages or images */
	CAP(NET_BIND_SERVICE) | /* bind ports below 1024 (test servers) */
	CAP(SYS_CHROOT) |       /* chroot builds (debootstrap, mock); no way out of a mount view */
	CAP(AUDIT_WRITE);       /* login, sshd and su refuse to run when they cannot audit */

/* Left out, and why a user might miss each:
 * MKNOD            ringfence has no device policy: a device node opens host disks directly
 * NET_RAW          without a network namespace, raw sockets sniff and forge host traffic
 *                  (ping uses ICMP datagram sockets without it)
 * SYS_ADMIN        mount, namespaces, and a hundred other host-wide operations
 * SYS_PTRACE       read and steer other processes, host ones too without a pid namespace
 * SYS_MODULE       load code into the kernel
 * IPC_LOCK         lock memory past RLIMIT_MEMLOCK (--memlock would not bind root)
 * SYS_RESOURCE     raise hard rlimits and ignore quotas: undoes --rlimit
 * SYS_NICE         realtime priority and moving others' pages escape cpu and NUMA limits
 * NET_ADMIN        reconfigure the host's interfaces, routes and firewall
 * SYS_TIME         set the host's clock
 * SYS_BOOT         reboot the host, kexec
 * SYS_RAWIO        I/O ports and /dev/mem: raw hardware access
 * BPF, PERFMON     load eBPF programs and profile the whole system, kernel included
 * MAC_ADMIN,
 * MAC_OVERRIDE     change or bypass the LSM policy meant to confine it
 * DAC_READ_SEARCH  open_by_handle_at opens any file of a mounted filesystem, escaping
 *                  a bind-mounted view
 * SYSLOG           the kernel log: host addresses and other tenants' messages
 * LINUX_IMMUTABLE  make host files immutable or append-only
 * SYS_PACCT        switch host-wide process accounting
 * AUDIT_CONTROL,
 * AUDIT_READ       configure or read the host's audit trail
 * SYS_TTY_CONFIG   vhangup and keyboard maps of the host's consoles
 * WAKE_ALARM,
 * BLOCK_SUSPEND    keep the host awake or wake it up
 * IPC_OWNER        bypass permission checks on other users' System V IPC
 * LEASE            take leases on files it does not own, stalling their owners
 * NET_BROADCAST    (unused by the kernel)
 * CHECKPOINT_RESTORE  choose pids and read other processes' state for CRIU */

int rf_cap_lookup(const char *name)
{
	if (!name)
		return -1;
	if (!strncasecmp(name, "cap_", 4))
		name += 4;
	/* By name only, as docker and runc take them: no numbers. */
	for (size_t cap = 0; cap < RF_ARRAY_SIZE(cap_names); cap++)
		if (cap_names[cap] && !strcasecmp(name, cap_names[cap] + 4))
			return (int)cap;
	return -1;
}

const char *rf_cap_name(int cap)
{
	if (cap < 0 || (size_t)cap >= RF_ARRAY_SIZE(cap_names) || !cap_names[cap])
		return "an unknown capability";
	return cap_names[cap];
}

uint64_t rf_caps_default(void)
{
	return default_caps;
}

uint64_t rf_caps_effective_set(const rf_process *p)
{
	uint64_t base = p->oci_caps ? p->cap_sets[RF_CAPSET_EFFECTIVE]
		      : p->caps_set ? p->caps : default_caps;

	return (base | p->cap_add) & ~p->cap_drop;
}

/* A bundle's set `i`, with --cap-add and --cap-drop: an added capability
 * goes where a root payload needs it (bounding, effective, permitted), a
 * dropped one goes from every set. */
static uint64_t oci_set(const rf_process *p, int i)
{
	uint64_t add = i == RF_CAPSET_INHERITABLE || i == RF_CAPSET_AMBIENT ? 0 : p->cap_add;

	return (p->cap_sets[i] | add) & ~p->cap_drop;
}

/* The highest capability this kernel knows: the bounding set answers for it. */
static int last_cap(void)
{
	int cap = 0;

	while (cap < 63 && prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0)
		cap++;
	return cap;
}

/* The bounding set from one read of CapBnd in /proc/self/status; -1 without
 * /proc. Asking prctl(PR_CAPBSET_READ) bit by bit costs one syscall each. */
static int bounding_from_proc(uint64_t *bnd)
{
	char hex[32], *end;

	if (rf_host_self_status("CapBnd", hex, sizeof(hex)) <= 0)
		return -1;
	errno = 0;
	*bnd = strtoull(hex, &end, 16);
	return errno || end == hex || *end ? -1 : 0;
}

uint64_t rf_caps_bounding(void)
{
	uint64_t bnd = 0;
	int last;

	if (bounding_from_proc(&bnd) == 0)
		return bnd;
	last = last_cap();
	for (int cap = 0; cap <= last; cap++)
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			bnd |= UINT64_C(1) << cap;
	return bnd;
}

/* The permitted set, or all ones when it cannot be read (then the drop is
 * tried and a failure reported). */
static uint64_t permitted_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };

	if (syscall(SYS_capget, &hdr, data) < 0)
		return UINT64_MAX;
	return (uint64_t)data[1].permitted << 32 | data[0].permitted;
}

/* Effective and permitted to `caps`, inheritable empty (capset(2)). */
static int set_caps(uint64_t caps)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {
		{ .effective = (uint32_t)caps, .permitted = (uint32_t)caps },
		{ .effective = (uint32_t)(caps >> 32), .permitted = (uint32_t)(caps >> 32) },
	};

	return (int)syscall(SYS_capset, &hdr, data);
}

static bool payload_is_root(const rf_process *p)
{
	return p->user_set ? p->uid == 0 : geteuid() == 0;
}

int rf_caps_drop_bounding(const rf_process *p, uint64_t *bounding, rf_error *err)
{
	uint64_t keep = p->oci_caps ? oci_set(p, RF_CAPSET_BOUNDING)
		      : payload_is_root(p) ? rf_caps_effective_set(p) : 0;
	uint64_t extra = *bounding & ~keep;
	bool unknown = *bounding == RF_CAPS_UNKNOWN;

	/* A bundle's non-root payload keeps its permitted set across the uid
	 * switch, as runc does; rf_caps_apply then sets each set exactly. */
	if (p->oci_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return rf_error_set(err, errno, "keep capabilities across the uid switch");

	/* Nothing held, nothing exec can grant under no_new_privs: see caps.h. */
	if (extra && !permitted_caps())
		return 0;
	for (int cap = 0; cap < 64; cap++) {
		bool fault;

		if (!((extra >> cap) & 1))
			continue;
		fault = RF_FAULT("caps.bounding");
		if (fault || prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			/* Past the last capability this kernel has: none from here. */
			if (!fault && errno == EINVAL && unknown) {
				*bounding &= (UINT64_C(1) << cap) - 1;
				break;
			}
			return rf_error_set(err, errno, "drop %s from the bounding set",
					    rf_cap_name(cap));
		}
		*bounding &= ~(UINT64_C(1) << cap);
	}
	/* Ambient capabilities would survive the exec of a non-root payload. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return rf_error_set(err, errno, "clear the ambient capability set");
	return 0;
}

static int apply_payload_set(const rf_process *p, uint64_t bounding, rf_error *err);

/* Exactly the bundle's sets. Ambient ones must be permitted and inheritable
 * too, or the kernel refuses them (the plan has left such ones out). */
static int apply_oci(const rf_process *p, rf_error *err)
{
	uint64_t eff = oci_set(p, RF_CAPSET_EFFECTIVE), prm = oci_set(p, RF_CAPSET_PERMITTED);
	uint64_t inh = oci_set(p, RF_CAPSET_INHERITABLE), amb = oci_set(p, RF_CAPSET_AMBIENT);
	uint64_t held = permitted_caps(), all = eff | prm | inh;
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {
		{ .effective = (uint32_t)eff, .permitted = (uint32_t)prm, .inheritable = (uint32_t)inh },
		{ .effective = (uint32_t)(eff >> 32), .permitted = (uint32_t)(prm >> 32),
		  .inheritable = (uint32_t)(inh >> 32) },
	};

	if (all & ~held)
		return rf_error_set(err, EPERM, "cannot grant %s: ringfence does not hold it",
				    rf_cap_name(__builtin_ctzll(all & ~held)));
	if (amb & ~(prm & inh))
		return rf_error_set(err, 0, "process.capabilities.ambient: %s is not also "
				    "permitted and inheritable",
				    rf_cap_name(__builtin_ctzll(amb & ~(prm & inh))));
	if (syscall(SYS_capset, &hdr, data) < 0)
		return rf_error_set(err, errno, "set the payload's capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return rf_error_set(err, errno, "clear the ambient capability set");
	for (int cap = 0; cap < 64; cap++)
		if ((amb >> cap) & 1 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return rf_error_set(err, errno, "raise %s in the ambient set", rf_cap_name(cap));
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return rf_error_set(err, errno, "clear keep-capabilities");
	return 0;
}

int rf_caps_apply(const rf_process *p, uint64_t bounding, rf_error *err)
{
	if (p->oci_caps) {
		if (apply_oci(p, err) < 0)
			return -1;
		/* noNewPrivileges: false lets setuid programs and file
		 * capabilities work, as the bundle asks. */
		if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return rf_error_set(err, errno, "set no_new_privs");
		return 0;
	}
	return apply_payload_set(p, bounding, err);
}

/* ringfence's one set (see the top of this file). */
static int apply_payload_set(const rf_process *p, uint64_t bounding, rf_error *err)
{
	bool root = geteuid() == 0;
	uint64_t want = root ? rf_caps_effective_set(p) : 0;
	uint64_t held = permitted_caps(), keep = want & held, extra;

	/* A default capability ringfence itself lacks is simply not there; one
	 * asked for by name is an error. */
	if (p->cap_add & want & ~held)
		return rf_error_set(err, EPERM, "cannot grant %s: ringfence does not hold it",
				    rf_cap_name(__builtin_ctzll(p->cap_add & want & ~held)));
	/* Effective and permitted to the set; inheritable and ambient empty,
	 * because those are how capabilities survive an exec into a non-root
	 * program (emptying inheritable empties ambient too; the clear says so). */
	if (RF_FAULT("caps.set") || set_caps(keep) < 0)
		return rf_error_set(err, errno, "set the payload's capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return rf_error_set(err, errno, "clear the ambient capability set");
	/* A root payload could have shrunk its bounding set: make sure it did
	 * (only a skipped drop leaves anything; nothing but a drop changes it). */
	extra = (bounding == RF_CAPS_UNKNOWN && root && held ? rf_caps_bounding() : bounding) & ~want;
	if (root && extra && held)
		return rf_error_set(err, EPERM, "%s is still in the bounding set",
				    rf_cap_name(__builtin_ctzll(extra)));
	/* Nothing exec'd from here on gains privileges: setuid bits and file
	 * capabilities are ignored, and seccomp needs no CAP_SYS_ADMIN. Always,
	 * but for a bundle that says noNewPrivileges false (or leaves it out). */
	if (p->no_new_privs &&
	    (RF_FAULT("caps.no-new-privs") || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0))
		return rf_error_set(err, errno, "set no_new_privs");
	return 0;
}
