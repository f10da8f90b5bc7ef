/* A setuid-root ringfence: its credentials and what it reads about its caller
 * (include/ringfence/setuid.h; the policy is src/policy.c).
 *
 * Theory of operation. The kernel starts a setuid-root ringfence with the
 * caller's real uid and root's effective and saved uid. ringfence keeps root's
 * euid, so that every decision it makes is a root's decision (the leaf's
 * parent, the namespaces it creates itself), but sets its filesystem uid and
 * gid to the caller's at once: from then on every path the user names
 * (--profile, --seccomp, --report, --chdir's parents) is opened with the
 * user's own rights, and the capabilities that bypass file permissions are
 * off (the kernel drops them from the effective set while fsuid is not 0).
 * Only right before the launch, once the plan has been checked against the
 * admin's policy, does fsuid go back to 0, for the root-owned cgroup tree.
 * The child switches all its uids to the caller's before it executes the
 * command, drops every capability, bounding set included, and sets
 * no_new_privs (caps.c). The process is never dumpable, so the caller cannot
 * ptrace root's memory.
 *
 * Every other subcommand gives up root entirely: only `run` needs it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ringfence/cgroup.h"
#include "ringfence/cleanup.h"
#include "ringfence/setuid.h"

extern char **environ;

bool rf_setuid_active(void)
{
	return getuid() != 0 && geteuid() == 0;
}

/* ringfence's own switches (debug output, test hooks, fault injection) are
 * for its developers: a setuid user gets none of them. The profile search
 * path stays: profiles are read with the user's rights. */
static void scrub_environment(void)
{
	for (size_t i = 0; environ && environ[i];) {
		char name[64];
		size_t n = strcspn(environ[i], "=");

		if (n < sizeof(name) && !strncmp(environ[i], "RINGFENCE_", 10)) {
			memcpy(name, environ[i], n);
			name[n] = '\0';
			if (strcmp(name, "RINGFENCE_PROFILE_PATH")) {
				unsetenv(name);
				continue;   /* the array shifted */
			}
		}
		i++;
	}
}

static int set_fsids(uid_t uid, gid_t gid, rf_error *err)
{
	setfsgid(gid);
	setfsuid(uid);
	/* setfs*id() say nothing on failure: ask for the ids back. */
	if ((uid_t)setfsuid((uid_t)-1) != uid || (gid_t)setfsgid((gid_t)-1) != gid)
		return rf_error_set(err, EPERM, "switch the filesystem ids to %u:%u",
				    (unsigned)uid, (unsigned)gid);
	return 0;
}

int rf_setuid_begin(rf_error *err)
{
	/* Never dumpable: no core file of root's memory, no ptrace by the caller. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return rf_error_set(err, errno, "make the process undumpable");
	scrub_environment();
	/* A setgid bit, if an install adds one, buys nothing. */
	if (getegid() != getgid() && setegid(getgid()) < 0)
		return rf_error_set(err, errno, "drop the effective group");
	return set_fsids(getuid(), getgid(), err);
}

int rf_setuid_files_as_root(bool root, rf_error *err)
{
	return root ? set_fsids(0, 0, err) : set_fsids(getuid(), getgid(), err);
}

int rf_setuid_drop_all(rf_error *err)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	uid_t r, e, s;

	scrub_environment();
	if (setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return rf_error_set(err, errno, "give up root");
	if (getresuid(&r, &e, &s) < 0 || r != uid || e != uid || s != uid)
		return rf_error_set(err, EPERM, "give up root: still holding uid 0");
	return 0;
}

static int read_oom_score_adj(long *out, rf_error *err)
{
	char buf[32], *end;
	cleanup_close int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return rf_error_set(err, errno, "open `/proc/self/oom_score_adj`");
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return rf_error_set(err, n < 0 ? errno : EIO, "read `/proc/self/oom_score_adj`");
	buf[n] = '\0';
	errno = 0;
	*out = strtol(buf, &end, 10);
	if (errno || end == buf)
		return rf_error_set(err, EINVAL, "`/proc/self/oom_score_adj` holds `%s`", buf);
	return 0;
}

int rf_setuid_caller(rf_caller *who, rf_error *err)
{
	cg_mount m;
	int n;

	memset(who, 0, sizeof(*who));
	who->uid = getuid();
	who->gid = getgid();
	n = getgroups(0, NULL);
	if (n < 0)
		return rf_error_set(err, errno, "read your groups");
	who->groups = calloc((size_t)n + 1, sizeof(*who->groups));
	if (!who->groups)
		return rf_error_set(err, ENOMEM, "read your groups");
	n = getgroups(n, who->groups);
	if (n < 0)
		return rf_error_set(err, errno, "read your groups");
	who->n_groups = (size_t)n;
	for (int r = 0; r < RLIM_NLIMITS; r++)
		if (getrlimit(r, &who->rlimits[r]) < 0)
			return rf_error_set(err, errno, "read your resource limits");
	if (read_oom_score_adj(&who->oom_score_adj, err) < 0)
		return -1;
	if (cg_find_mount(&m, err) < 0 || cg_self(who->cgroup, sizeof(who->cgroup), err) < 0)
		return -1;
	snprintf(who->cgroup_mount, sizeof(who->cgroup_mount), "%s", m.path);
	return 0;
}

void rf_setuid_caller_free(rf_caller *who)
{
	free(who->groups);
	who->groups = NULL;
	who->n_groups = 0;
}
