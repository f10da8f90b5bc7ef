/* rf_mounts_apply() for real, in a private mount namespace of a forked child
 * (needs root; skipped otherwise). Every scenario runs twice: with
 * mount_setattr(), and with it failing ENOSYS under a seccomp filter, which
 * takes the mount(MS_REMOUNT) path that kernels before 5.12 use. Afterwards
 * the caller's namespace must show none of it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "ringfence/cleanup.h"
#include "ringfence/contain.h"
#include "ringfence/isolation.h"

#define TMPFS_MAGIC 0x01021994

static char base[] = "/tmp/rf-mounts-XXXXXX";

static char *at(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", base, rel);
	return buf[i];
}

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "# %s:%d: %s (errno %s)\n", __FILE__, __LINE__, \
				#cond, strerror(errno));                               \
			return 1;                                                     \
		}                                                                     \
	} while (0)

static int write_file(const char *path, size_t bytes)
{
	static char chunk[65536];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int saved;

	if (fd < 0)
		return -1;
	memset(chunk, 'x', sizeof(chunk));
	while (bytes) {
		size_t n = bytes < sizeof(chunk) ? bytes : sizeof(chunk);

		if (write(fd, chunk, n) != (ssize_t)n) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		bytes -= n;
	}
	return close(fd);
}

static bool has_flags(const char *path, unsigned long flags)
{
	struct statvfs sv;

	return statvfs(path, &sv) == 0 && (sv.f_flag & flags) == flags;
}

static bool is_tmpfs(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == TMPFS_MAGIC;
}

static bool writable(const char *path)
{
	return write_file(path, 1) == 0 && unlink(path) == 0;
}

static bool read_only(const char *path)
{
	return write_file(path, 1) < 0 && errno == EROFS;
}

/* ---- scenarios: each fills iso, may prepare the namespace, then checks ---- */

static rf_isolation iso;

static void add(rf_mount_kind kind, const char *spec)
{
	rf_error err = { 0 };

	if (rf_mount_parse(kind, spec, &iso, &err) < 0) {
		fprintf(stderr, "# parse `%s`: %s\n", spec, err.msg);
		_exit(90);
	}
}

/* A sized tmpfs with a nested read-only bind whose mount point is created. */
static int tmpfs_and_nested_ro_bind(void)
{
	char spec[PATH_MAX * 2];

	snprintf(spec, sizeof(spec), "%s:size=1M", at("mnt"));
	add(RF_MOUNT_TMPFS, spec);
	snprintf(spec, sizeof(spec), "%s:%s", at("src"), at("mnt/a/b"));
	add(RF_MOUNT_RO_BIND, spec);
	return 0;
}

static int check_tmpfs_and_nested_ro_bind(void)
{
	struct stat st;

	CHECK(is_tmpfs(at("mnt")));
	CHECK(stat(at("mnt"), &st) == 0 && (st.st_mode & 07777) == 01777);
	CHECK(has_flags(at("mnt"), ST_NOSUID | ST_NODEV));
	/* Filling beyond its size stops there. */
	CHECK(write_file(at("mnt/big"), 2 << 20) < 0 && errno == ENOSPC);
	CHECK(stat(at("mnt/a/b/f"), &st) == 0);
	CHECK(read_only(at("mnt/a/b/new")));
	CHECK(has_flags(at("mnt/a/b"), ST_RDONLY | ST_NOSUID | ST_NODEV));
	/* The source's own submount came along, read-only too. */
	CHECK(is_tmpfs(at("mnt/a/b/sub")));
	CHECK(read_only(at("mnt/a/b/sub/new")));
	return 0;
}

/* A read-only root with a writable bind and tmpfs placed into it. */
static int ro_root_with_writable(void)
{
	char spec[PATH_MAX * 2];

	iso.ro_root = true;
	snprintf(spec, sizeof(spec), "%s:%s", at("rw"), at("mnt"));
	add(RF_MOUNT_BIND, spec);
	add(RF_MOUNT_TMPFS, at("src/sub"));
	return 0;
}

static int check_ro_root_with_writable(void)
{
	CHECK(read_only(at("new")));
	CHECK(read_only("/etc/rf-mounts-test"));
	CHECK(has_flags("/", ST_RDONLY));
	/* The bind's source is on the now read-only mount: still writable. */
	CHECK(write_file(at("mnt/from-child"), 5) == 0);
	CHECK(writable(at("src/sub/x")));
	return 0;
}

/* SRC is the caller's path even when an earlier --tmpfs covers it. */
static int source_under_tmpfs(void)
{
	char spec[PATH_MAX * 2];

	add(RF_MOUNT_TMPFS, base);
	snprintf(spec, sizeof(spec), "%s:%s", at("src"), at("inside"));
	add(RF_MOUNT_BIND, spec);
	snprintf(spec, sizeof(spec), "%s:%s", at("file"), at("deep/file"));
	add(RF_MOUNT_RO_BIND, spec);
	return 0;
}

static int check_source_under_tmpfs(void)
{
	struct stat st;
	char buf[16] = { 0 };
	int fd;

	CHECK(is_tmpfs(base));
	CHECK(stat(at("src"), &st) < 0 && errno == ENOENT);
	CHECK(stat(at("inside/f"), &st) == 0);
	fd = open(at("deep/file"), O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf) - 1) == 4 && !strcmp(buf, "file"));
	close(fd);
	CHECK(read_only(at("deep/file")));
	return 0;
}

/* The inherited cwd is entered again by path, or `/` when it is gone. */
static int cwd_reentered(void)
{
	add(RF_MOUNT_TMPFS, at("mnt"));
	add(RF_MOUNT_TMPFS, at("src"));
	return 0;
}

static int check_cwd_reentered(void)
{
	char cwd[PATH_MAX];

	/* We were in mnt (see run_scenario): now in the tmpfs over it. */
	CHECK(is_tmpfs("."));
	CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, at("mnt")));
	return 0;
}

static int mountpoint_outside_tmpfs(void)
{
	char spec[PATH_MAX * 2];

	snprintf(spec, sizeof(spec), "%s:%s", at("src"), at("missing/dir"));
	add(RF_MOUNT_BIND, spec);
	return 0;
}

static int mountpoint_wrong_type(void)
{
	char spec[PATH_MAX * 2];

	snprintf(spec, sizeof(spec), "%s:%s", at("src"), at("file"));
	add(RF_MOUNT_BIND, spec);
	return 0;
}

struct scenario {
	const char *name;
	int (*setup)(void);
	int (*check)(void);
	const char *err;         /* rf_mounts_apply must fail with this */
};

static const struct scenario scenarios[] = {
	{ "tmpfs size, mode, flags; nested ro-bind, recursive", tmpfs_and_nested_ro_bind,
	  check_tmpfs_and_nested_ro_bind, NULL },
	{ "ro-root keeps the sandbox's own mounts writable", ro_root_with_writable,
	  check_ro_root_with_writable, NULL },
	{ "bind source covered by an earlier tmpfs", source_under_tmpfs,
	  check_source_under_tmpfs, NULL },
	{ "inherited cwd re-entered in the new view", cwd_reentered, check_cwd_reentered, NULL },
	{ "missing mount point outside a tmpfs", mountpoint_outside_tmpfs, NULL,
	  "does not exist (ringfence creates mount points only inside a --tmpfs)" },
	{ "directory onto a file", mountpoint_wrong_type, NULL,
	  "is not a directory, the mount needs a directory" },
};

static int deny_mount_setattr(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	if (!ctx)
		return -1;
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(mount_setattr), 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

static int run_scenario(const struct scenario *s, bool legacy)
{
	rf_error err = { 0 };

	if (unshare(CLONE_NEWNS) < 0)
		return 80;
	/* Our own submount in the source, made private first so that it stays
	 * in this namespace. */
	CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	CHECK(mount("tmpfs", at("src/sub"), "tmpfs", 0, NULL) == 0);
	CHECK(chdir(at("mnt")) == 0);
	if (s->setup() != 0)
		return 81;
	if (legacy && deny_mount_setattr() != 0)
		return 82;
	/* The fallback path is the one under test. */
	if (legacy)
		CHECK(mount_setattr(-1, "", 0, NULL, 0) < 0 && errno == ENOSYS);
	/* The view asked for; containment's own is test_cgroup's. */
	iso.ns_flags |= CLONE_NEWNS;
	iso.host_cgroupfs = true;
	if (rf_mounts_apply(&iso, CLONE_NEWNS, NULL, NULL, &err) < 0) {
		if (s->err && strstr(err.msg, s->err))
			return 0;
		fprintf(stderr, "# rf_mounts_apply: %s (%s)\n", err.msg, strerror(err.errnum));
		return 83;
	}
	if (s->err) {
		fprintf(stderr, "# rf_mounts_apply succeeded, expected \"%s\"\n", s->err);
		return 84;
	}
	return s->check();
}

static bool host_sees_mounts(void)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	bool found = false;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		found |= strstr(line, base) != NULL;
	fclose(f);
	return found;
}

struct row {
	const struct scenario *s;
	bool legacy;
};

static void test_scenario(void **state)
{
	const struct row *r = *state;
	int status;
	pid_t pid;
	char path[PATH_MAX];

	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(run_scenario(r->s, r->legacy));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 80)
		skip();          /* no mount namespaces here (a container) */
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s: child status %#x", r->s->name, status);
	/* Nothing leaked into our namespace; writes through a bind landed. */
	assert_false(host_sees_mounts());
	snprintf(path, sizeof(path), "%s/rw/from-child", base);
	if (r->s->check == check_ro_root_with_writable)
		assert_int_equal(unlink(path), 0);
}

/* A new pid namespace gets its own /proc, mounted by its pid 1. */
static int proc_child(void)
{
	char buf[32] = { 0 };

	rf_isolation pid_iso = { .ns_flags = CLONE_NEWNS | CLONE_NEWPID, .host_cgroupfs = true };

	if (rf_mounts_apply(&pid_iso, CLONE_NEWNS | CLONE_NEWPID, NULL, NULL, &(rf_error){ 0 }) < 0)
		return 1;
	if (readlink("/proc/self", buf, sizeof(buf) - 1) < 0 || strcmp(buf, "1"))
		return 2;
	return has_flags("/proc", ST_NOSUID | ST_NODEV | ST_NOEXEC) ? 0 : 3;
}

static void test_proc(void **state)
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pid_t init;

		if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0)
			_exit(80);
		init = fork();
		if (init == 0)
			_exit(proc_child());
		_exit(init > 0 && waitpid(init, &status, 0) == init && WIFEXITED(status) ?
			      WEXITSTATUS(status) : 70);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 80)
		skip();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("pid namespace /proc: child status %#x", status);
}

/* Containment's view: a fresh, read-only cgroup2 over each cgroup2 mount
 * point, rooted at the namespace's root; never without a cgroup namespace of
 * its own (a cgroup2 mounted in the caller's would reset the hierarchy's
 * options for the whole host), and no other mount when the mount namespace
 * is containment's alone. */
static int count_mounts(int *cgroup2)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int n = 0;

	if (cgroup2)
		*cgroup2 = 0;
	while (f && fgets(line, sizeof(line), f)) {
		n++;
		if (cgroup2 && strstr(line, " - cgroup2 "))
			(*cgroup2)++;
	}
	if (f)
		fclose(f);
	return n;
}

static int cgroup_child(const void *unused)
{
	char line[4096], mp[PATH_MAX] = "";
	rf_error err = { 0 };
	int before, cgroup2;
	FILE *f;

	(void)unused;
	if (unshare(CLONE_NEWNS) < 0)
		return 80;
	if (rf_mounts_apply(&(rf_isolation){ 0 }, CLONE_NEWNS, NULL, NULL, &err) == 0 ||
	    !strstr(err.msg, "needs a cgroup namespace of its own"))
		return 6;
	if (unshare(CLONE_NEWCGROUP) < 0)
		return 80;
	before = count_mounts(&cgroup2);
	if (rf_mounts_apply(&(rf_isolation){ 0 }, CLONE_NEWNS | CLONE_NEWCGROUP, NULL, NULL,
			    &err) < 0)
		return 1;
	/* One mount per cgroup2 mount point, nothing else (no /proc guards). */
	if (count_mounts(NULL) != before + cgroup2)
		return 7;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return 2;
	/* The last cgroup2 line is the top mount; its root is "/". */
	while (fgets(line, sizeof(line), f)) {
		char root[PATH_MAX], point[PATH_MAX];

		if (!strstr(line, " - cgroup2 "))
			continue;
		if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) != 2)
			return 3;
		if (strcmp(root, "/"))
			return 4;
		snprintf(mp, sizeof(mp), "%s", point);
	}
	fclose(f);
	if (!*mp)
		return 81;       /* no cgroup2 mounted here */
	return has_flags(mp, ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC) ? 0 : 5;
}

/* fn(arg) in a forked child, as root: exit 0 passes, 80 (no namespaces
 * here) and 81 (no cgroup2) skip. */
static void in_child(int (*fn)(const void *), const void *arg, const char *what)
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && (WEXITSTATUS(status) == 80 || WEXITSTATUS(status) == 81))
		skip();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s: child status %#x", what, status);
	assert_false(host_sees_mounts());
}

static void test_cgroup(void **state)
{
	(void)state;
	in_child(cgroup_child, NULL, "cgroup namespace");
}

/* The cgroup2 mount points read through a mountinfo file of the namespace
 * that was copied, opened before the copy (contain.c: the supervisor's,
 * opened before clone). There is a second cgroup2 mount (a bind of one,
 * which changes no hierarchy option) in both. `change`: the original
 * namespace loses it after the copy, so what the file shows lacks a mount
 * the copy has; the file says so with POLLPRI, and the view must cover it
 * all the same. */
static int cgroup_handed_child(const void *changed)
{
	bool change = changed != NULL;
	char line[4096], cg2[PATH_MAX] = "";
	rf_contain_src src = { .fd = -1 };
	rf_error err = { 0 };
	int before, cgroup2, ns_a, ns_b;
	FILE *f;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 80;
	f = fopen("/proc/self/mountinfo", "re");
	while (f && fgets(line, sizeof(line), f))
		if (!cg2[0] && strstr(line, " - cgroup2 ") &&
		    sscanf(line, "%*s %*s %*s %*s %4095s", cg2) != 1)
			return 3;
	if (f)
		fclose(f);
	if (!cg2[0])
		return 81;
	if (mount(cg2, at("mnt"), NULL, MS_BIND, NULL) < 0)
		return 4;
	ns_a = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	src.mounts_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (ns_a < 0 || src.mounts_fd < 0)
		return 2;
	if (unshare(CLONE_NEWNS) < 0)
		return 80;
	ns_b = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (ns_b < 0)
		return 2;
	if (change && (setns(ns_a, CLONE_NEWNS) < 0 || umount2(at("mnt"), MNT_DETACH) < 0 ||
		       setns(ns_b, CLONE_NEWNS) < 0))
		return 8;
	if (unshare(CLONE_NEWCGROUP) < 0)
		return 80;
	before = count_mounts(&cgroup2);
	if (rf_mounts_apply(&(rf_isolation){ 0 }, CLONE_NEWNS | CLONE_NEWCGROUP, &src, NULL,
			    &err) < 0)
		return 1;
	if (count_mounts(NULL) != before + cgroup2)
		return 7;
	return has_flags(at("mnt"), ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC) ? 0 : 5;
}

static void test_cgroup_handed(void **state)
{
	in_child(cgroup_handed_child, *state, "handed mountinfo");
}

static void make_fixtures(void)
{
	if (!mkdtemp(base))
		abort();
	if (mkdir(at("src"), 0755) || mkdir(at("src/sub"), 0755) || mkdir(at("rw"), 0755) ||
	    mkdir(at("mnt"), 0755) || write_file(at("src/f"), 5) || write_file(at("file"), 0))
		abort();
	{
		int fd = open(at("file"), O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, "file", 4) != 4)
			abort();
		close(fd);
	}
}

static void remove_fixtures(void)
{
	const char *files[] = { "src/f", "file" };
	const char *dirs[] = { "src/sub", "src", "rw", "mnt" };

	for (size_t i = 0; i < RF_ARRAY_SIZE(files); i++)
		unlink(at(files[i]));
	for (size_t i = 0; i < RF_ARRAY_SIZE(dirs); i++)
		rmdir(at(dirs[i]));
	rmdir(base);
}

int main(void)
{
	static struct row rows[2 * RF_ARRAY_SIZE(scenarios)];
	struct rf_cases cases = { 0 };
	int failed;

	make_fixtures();
	for (size_t i = 0; i < RF_ARRAY_SIZE(scenarios); i++) {
		for (int legacy = 0; legacy < 2; legacy++) {
			struct row *r = &rows[2 * i + (size_t)legacy];

			r->s = &scenarios[i];
			r->legacy = legacy;
			rf_case_add(&cases, test_scenario, r, "mounts (%s): %s",
				    legacy ? "mount(2) remount" : "mount_setattr",
				    scenarios[i].name);
		}
	}
	rf_case_add(&cases, test_proc, NULL, "mounts: fresh /proc in a new pid namespace");
	rf_case_add(&cases, test_cgroup, NULL, "mounts: fresh read-only cgroup2 in a new cgroup namespace");
	rf_case_add(&cases, test_cgroup_handed, NULL,
		    "mounts: the view's mount points read through a mountinfo opened before the copy");
	rf_case_add(&cases, test_cgroup_handed, "change",
		    "mounts: a cgroup2 the original loses after the copy is covered too (POLLPRI)");
	failed = rf_cases_run(&cases, "mounts");
	remove_fixtures();
	return failed;
}
