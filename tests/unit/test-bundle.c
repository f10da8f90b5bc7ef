/* src/bundle.c and the bundle reading of src/profile-oci*.c: a `crun spec`
 * bundle into the plan with OCI's semantics, every bad bundle naming its
 * JSON path, the dump of a bundle read back the same; src/path-root.c's
 * resolution inside a root (openat2 and the walk); src/devices.c's program,
 * run by a small interpreter of the instructions it uses. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/bpf.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cases.h"
#include "path-root.h"
#include "ringfence/bundle.h"
#include "ringfence/cleanup.h"
#include "ringfence/devices.h"
#include "ringfence/plan.h"
#include "ringfence/profile.h"

/* ================================================================ a scratch bundle */

static char scratch[PATH_MAX];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		fail_msg("write %s", path);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* A fresh bundle directory with rootfs/ and data/, config.json = text. */
static const char *make_bundle(const char *text)
{
	static char config[PATH_MAX + 32];
	char dir[PATH_MAX + 32];

	if (scratch[0])
		nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	snprintf(scratch, sizeof(scratch), "/tmp/rf-test-bundle.XXXXXX");
	if (!mkdtemp(scratch))
		fail_msg("mkdtemp");
	snprintf(dir, sizeof(dir), "%s/rootfs", scratch);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/rootfs/etc", scratch);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/rootfs/etc/passwd", scratch);
	write_file(dir, "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/nonexistent:/bin/false\n");
	snprintf(dir, sizeof(dir), "%s/data", scratch);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(config, sizeof(config), "%s/config.json", scratch);
	if (text)
		write_file(config, text);
	return scratch;
}

static int group_teardown(void **state)
{
	(void)state;
	if (scratch[0])
		nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void count_warnings(void *userdata, rf_level level, const char *msg)
{
	struct rf_diag_log *log = userdata;

	rf_diag_log_collect(log, level, msg);
}

/* ================================================================ a crun spec bundle */

static const char crun_spec[] =
	"{\"ociVersion\": \"1.0.0\","
	"\"process\": {\"terminal\": false, \"user\": {\"uid\": 0, \"gid\": 0},"
	" \"consoleSize\": {\"height\": 40, \"width\": 120},"
	" \"args\": [\"sh\"], \"env\": [\"PATH=/bin\", \"TERM=xterm\"], \"cwd\": \"/\","
	" \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_AUDIT_WRITE\"],"
	"  \"effective\": [\"CAP_KILL\"], \"inheritable\": [], \"permitted\": [\"CAP_KILL\"],"
	"  \"ambient\": [\"CAP_KILL\"]},"
	" \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],"
	" \"noNewPrivileges\": false},"
	"\"root\": {\"path\": \"rootfs\", \"readonly\": true},"
	"\"hostname\": \"crun\","
	"\"mounts\": ["
	" {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
	" {\"destination\": \"/dev/\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
	"  \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
	" {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\","
	"  \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]},"
	" {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"data\","
	"  \"options\": [\"rbind\", \"ro\", \"rslave\", \"rnosuid\"]}],"
	"\"linux\": {\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},"
	" \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"network\"}],"
	" \"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [],"
	" \"cgroupsPath\": \"/machine/c1\", \"rootfsPropagation\": \"rslave\","
	" \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}}}";

static void test_crun_spec(void **state)
{
	struct rf_diag_log log = { 0 };
	rf_diag diag = { count_warnings, &log };
	const char *dir = make_bundle(crun_spec);
	char real[PATH_MAX], want[PATH_MAX + 16];
	rf_error err = { 0 };
	const rf_mount *m;
	rf_plan plan;

	(void)state;
	rf_plan_init(&plan);
	plan.proc.tty = true;
	if (rf_bundle_load(dir, &plan, true, &diag, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(log.warnings, 0);
	assert_non_null(realpath(dir, real));
	assert_string_equal(plan.bundle, real);
	snprintf(want, sizeof(want), "%s/rootfs", real);
	assert_string_equal(plan.iso.rootfs, want);
	assert_true(plan.iso.ro_root);
	/* OCI: the whole environment, no terminal unless asked, five sets */
	assert_true(plan.proc.clearenv);
	assert_false(plan.proc.tty);
	assert_false(plan.proc.no_new_privs);
	assert_int_equal(plan.proc.console_rows, 40);
	assert_int_equal(plan.proc.console_cols, 120);
	assert_true(plan.proc.oci_caps);
	assert_int_equal(plan.proc.cap_sets[RF_CAPSET_BOUNDING], (1ULL << 5) | (1ULL << 29));
	assert_int_equal(plan.proc.cap_sets[RF_CAPSET_AMBIENT], 1ULL << 5);
	assert_int_equal(plan.iso.n_mounts, 4);
	m = &plan.iso.mounts[1];
	assert_int_equal(m->kind, RF_MOUNT_FS);
	assert_string_equal(m->dst, "/dev");
	assert_string_equal(m->fstype, "tmpfs");
	assert_int_equal(m->flags, MS_NOSUID | MS_STRICTATIME);
	assert_string_equal(m->data, "mode=755,size=65536k");
	m = &plan.iso.mounts[2];
	assert_string_equal(m->fstype, "cgroup2");
	assert_int_equal(m->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY);
	m = &plan.iso.mounts[3];
	assert_int_equal(m->kind, RF_MOUNT_BIND);
	snprintf(want, sizeof(want), "%s/data", real);
	assert_string_equal(m->src, want);
	assert_int_equal(m->flags, MS_RDONLY);
	assert_int_equal(m->propagation, MS_SLAVE | MS_REC);
	assert_int_equal(m->rec_set, MOUNT_ATTR_NOSUID);
	assert_false(m->single);
	assert_string_equal(plan.iso.masked_paths[0], "/proc/kcore");
	assert_null(plan.iso.masked_paths[1]);
	assert_null(plan.iso.readonly_paths[0]);
	assert_string_equal(plan.cgroup_parent, "/machine");
	assert_string_equal(plan.name, "c1");
	assert_int_equal(plan.iso.root_propagation, MS_SLAVE | MS_REC);
	assert_int_equal(plan.iso.n_sysctl, 1);
	assert_int_equal(plan.limits.n_dev_rules, 1);
	/* finalising: HOME from the rootfs's passwd, the device defaults after
	 * the bundle's rule, ambient CAP_KILL left out (not inheritable) */
	if (rf_container_finalize(&plan, &diag, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(plan.proc.env[plan.proc.n_env - 1].key, "HOME");
	assert_string_equal(plan.proc.env[plan.proc.n_env - 1].value, "/root");
	assert_true(plan.limits.n_dev_rules > 5);
	assert_false(plan.limits.dev_rules[0].allow);
	assert_int_equal(plan.proc.cap_sets[RF_CAPSET_AMBIENT], 0);
	assert_true(plan.iso.ns_flags & CLONE_NEWNS);
	rf_plan_free(&plan);
}

/* The bundle in dir loaded strictly into plan (rf_plan_init'd here), and
 * its dump (malloc'd). */
static char *load_dump(const char *dir, rf_plan *plan)
{
	rf_error err = { 0 };
	char *dump = NULL;
	size_t len;

	rf_plan_init(plan);
	if (rf_bundle_load(dir, plan, true, NULL, &err) < 0 ||
	    rf_profile_dump(plan, &dump, &len, &err) < 0)
		fail_msg("%s", err.msg);
	return dump;
}

/* The dump of a bundle's plan, read back as a bundle, dumps the same. */
static void test_dump_round_trip(void **state)
{
	cleanup_free char *first = NULL, *second = NULL;
	const char *dir = make_bundle(crun_spec);
	char config[PATH_MAX + 16];
	rf_plan plan;

	(void)state;
	first = load_dump(dir, &plan);
	rf_plan_free(&plan);
	snprintf(config, sizeof(config), "%s/config.json", dir);
	write_file(config, first);
	second = load_dump(dir, &plan);
	rf_plan_free(&plan);
	assert_string_equal(first, second);
}

/* ================================================================ cgroupsPath */

/* linux.cgroupsPath: absolute below the cgroup2 root; relative below the
 * default parent (the placement rule chooses it when the run acts). */
struct cgpath_case {
	const char *path;
	const char *parent, *below, *name;   /* NULL: unset */
};

static const struct cgpath_case cgpath_cases[] = {
	{ "/machine/c1", "/machine", NULL, "c1" },
	{ "/c1", "/", NULL, "c1" },
	{ "/a/b/c1/", "/a/b", NULL, "c1" },
	{ "c1", NULL, NULL, "c1" },
	{ "jobs/c1", NULL, "jobs", "c1" },
	{ "a/b/c1", NULL, "a/b", "c1" },
	{ "", NULL, NULL, NULL },
};

static void test_cgroups_path(void **state)
{
	const struct cgpath_case *c = *state;
	char config[512];
	rf_error err = { 0 };
	rf_plan plan;

	snprintf(config, sizeof(config),
		 "{\"root\": {\"path\": \"rootfs\"}, \"linux\": {\"cgroupsPath\": \"%s\"}}", c->path);
	rf_plan_init(&plan);
	if (rf_bundle_load(make_bundle(config), &plan, false, NULL, &err) < 0)
		fail_msg("%s: %s", c->path, err.msg);
	if ((c->parent ? !plan.cgroup_parent || strcmp(plan.cgroup_parent, c->parent)
		       : plan.cgroup_parent != NULL) ||
	    (c->below ? !plan.cgroup_below || strcmp(plan.cgroup_below, c->below)
		      : plan.cgroup_below != NULL) ||
	    (c->name ? !plan.name || strcmp(plan.name, c->name) : plan.name != NULL))
		fail_msg("`%s`: parent %s, below %s, name %s", c->path,
			 plan.cgroup_parent ? plan.cgroup_parent : "(none)",
			 plan.cgroup_below ? plan.cgroup_below : "(none)",
			 plan.name ? plan.name : "(none)");
	rf_plan_free(&plan);
}

/* ================================================================ bad bundles */

struct bad_case {
	const char *config;      /* NULL: no config.json */
	const char *want;        /* in the message, after "`.../config.json`: " */
};

#define ROOT "\"root\": {\"path\": \"rootfs\"}"

static const struct bad_case bad_cases[] = {
	{ NULL, "open `" },
	{ "{\"ociVersion\": ", "parse `" },
	{ "{\"process\": {\"args\": [\"sh\"]}}", "root.path: required" },
	{ "{\"root\": {\"path\": \"nope\"}}", "root.path: `" },
	{ "{\"root\": {\"path\": \"config.json\"}}", "is not a directory" },
	{ "{" ROOT ", \"process\": {\"args\": []}}", "process.args: expected at least the command" },
	{ "{" ROOT ", \"mounts\": [{\"destination\": \"/a/../../b\", \"type\": \"tmpfs\"}]}",
	  "mounts[0].destination: `/a/../../b` has a `..` component" },
	{ "{" ROOT ", \"mounts\": [{\"destination\": \"/\", \"type\": \"tmpfs\"}]}",
	  "mounts[0].destination: cannot mount over `/`" },
	{ "{" ROOT ", \"mounts\": [{\"destination\": \"/a\"}]}", "mounts[0]: give a type" },
	{ "{" ROOT ", \"mounts\": [{\"destination\": \"/a\", \"type\": \"bind\"}]}",
	  "mounts[0].source: required for a bind mount" },
	{ "{" ROOT ", \"mounts\": [{\"destination\": \"/a\", \"type\": \"bind\", \"source\": \"x\"}]}",
	  "mounts[0].source: `" },
	/* A missing path the input named, quoted printable (fuzz-bundle found it). */
	{ "{" ROOT ", \"mounts\": [{\"destination\": \"/a\", \"type\": \"bind\", \"source\": \"\u01c6\\n\"}]}",
	  "mounts[0].source: `" },
	{ "{" ROOT ", \"linux\": {\"namespaces\": [{\"type\": \"ipc\", \"path\": \"/\u01c6\"}]}}",
	  "linux.namespaces[0].path: open `/??`" },
	{ "{" ROOT ", \"mounts\": [{\"destination\": \"/a\", \"type\": \"tmpfs\", \"options\": [\"remount\"]}]}",
	  "mounts[0].options[0]: `remount`" },
	{ "{" ROOT ", \"mounts\": [{\"destination\": \"/a\", \"type\": \"tmpfs\", \"options\": [\"a,b\"]}]}",
	  "mounts[0].options[0]: `a,b` is not one mount option" },
	{ "{" ROOT ", \"mounts\": [{\"destination\": \"/a\", \"type\": \"tmpfs\", \"uidMappings\": []}]}",
	  "mounts[0]: id-mapped mounts" },
	{ "{" ROOT ", \"linux\": {\"namespaces\": [{\"type\": \"pidns\"}]}}",
	  "linux.namespaces[0].type: unknown namespace `pidns`" },
	{ "{" ROOT ", \"linux\": {\"namespaces\": [{\"type\": \"ipc\", \"path\": \"/proc/self/ns/net\"}]}}",
	  "linux.namespaces[0].path: `/proc/self/ns/net` is not a namespace of this type" },
	{ "{" ROOT ", \"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1}]}}",
	  "linux.uidMappings[0].size: required" },
	{ "{" ROOT ", \"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\"}]}}",
	  "linux.devices[0].major: required for a character device" },
	{ "{" ROOT ", \"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": 4096, \"minor\": 0}]}}",
	  "linux.devices[0].major: out of range" },
	{ "{" ROOT ", \"linux\": {\"sysctl\": {\"../x\": \"1\"}}}", "not a sysctl name" },
	{ "{" ROOT ", \"linux\": {\"cgroupsPath\": \"/\"}}", "the last component names the leaf" },
	{ "{" ROOT ", \"linux\": {\"cgroupsPath\": \"a/../../b\"}}", "without `..` or `.`" },
	{ "{" ROOT ", \"linux\": {\"cgroupsPath\": \"./b\"}}", "without `..` or `.`" },
	{ "{" ROOT ", \"linux\": {\"rootfsPropagation\": \"sideways\"}}",
	  "linux.rootfsPropagation: `sideways`" },
	{ "{" ROOT ", \"process\": {\"args\": [\"sh\"], \"execCPUAffinity\": {\"final\": \"3-1\"}}}",
	  "process.execCPUAffinity.final: `3-1` has a reversed range 3-1" },
	{ "{" ROOT ", \"process\": {\"args\": [\"sh\"], \"execCPUAffinity\": {\"initial\": \"a\"}}}",
	  "process.execCPUAffinity.initial: `a` is not an id list" },
	{ "{" ROOT ", \"linux\": {\"resources\": {\"devices\": [{\"access\": \"r\"}]}}}",
	  "linux.resources.devices[0].allow: required" },
	{ "{" ROOT ", \"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"access\": \"rr\"}]}}}",
	  "linux.resources.devices[0].access: `rr` is not an access list" },
};

static void test_bad(void **state)
{
	const struct bad_case *c = *state;
	const char *dir = make_bundle(c->config);
	rf_error err = { 0 };
	rf_plan plan;

	rf_plan_init(&plan);
	if (rf_bundle_load(dir, &plan, false, NULL, &err) == 0)
		fail_msg("loaded: %s", c->config);
	if (!strstr(err.msg, c->want) || !strstr(err.msg, "config.json"))
		fail_msg("\"%s\" does not name config.json and \"%s\"", err.msg, c->want);
	/* The message reaches a terminal: one printable line. */
	for (const char *p = err.msg; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			fail_msg("unprintable byte 0x%02x in \"%s\"", (unsigned char)*p, err.msg);
	rf_plan_free(&plan);
}

/* OCI's defaults where the bundle says nothing (no_new_privs off, as runc
 * and crun), and execCPUAffinity read and dumped as given. */
static void test_process_defaults(void **state)
{
	const char *dir = make_bundle("{" ROOT ", \"process\": {\"args\": [\"sh\"], "
				      "\"execCPUAffinity\": {\"initial\": \"0\", \"final\": \"1-3,5\"}}}");
	cleanup_free char *dump = NULL;
	rf_plan plan;

	(void)state;
	dump = load_dump(dir, &plan);
	assert_false(plan.proc.no_new_privs);
	assert_true(plan.proc.exec_affinity.initial_set && plan.proc.exec_affinity.final_set);
	assert_non_null(strstr(dump, "\"execCPUAffinity\""));
	assert_non_null(strstr(dump, "\"1-3,5\""));
	rf_plan_free(&plan);
}

/* ================================================================ --systemd-cgroup */

/* linux.cgroupsPath read as the OCI runtime's --systemd-cgroup reads it
 * (runc's "slice:prefix:name"): the slice, the scope, the leaf in it. */
struct systemd_case {
	const char *path;
	const char *slice, *unit;    /* NULL: refused, with `want` */
	const char *want;
};

static const struct systemd_case systemd_cases[] = {
	{ "system.slice:ringfence:c1", "system.slice", "ringfence-c1.scope", NULL },
	{ "machine.slice:libpod:0123abcd", "machine.slice", "libpod-0123abcd.scope", NULL },
	{ "kubepods-burstable-pod1.slice:cri-containerd:c2", "kubepods-burstable-pod1.slice",
	  "cri-containerd-c2.scope", NULL },
	{ "rf:x:y", "rf.slice", "x-y.scope", NULL },           /* NAME: NAME.slice */
	{ "s.slice::c1", "s.slice", "-c1.scope", NULL },       /* runc: the dash stays */
	{ "/machine/c1", NULL, NULL, "expected `slice:prefix:name`" },
	{ "a:b", NULL, NULL, "expected `slice:prefix:name`" },
	{ "a:b:c:d", NULL, NULL, "expected `slice:prefix:name`" },
	{ "-bad:p:n", NULL, NULL, "is not a slice name" },
	{ "a/b.slice:p:n", NULL, NULL, "is not a slice name" },
	{ "s.slice:p:inner.slice", NULL, NULL, "a slice as the container's own unit" },
	{ "s.slice:p:a b", NULL, NULL, "is not a unit name systemd accepts" },
	{ "s.slice:p@x:n", NULL, NULL, "is not a unit name systemd accepts" },
};

static void test_systemd_path(void **state)
{
	const struct systemd_case *c = *state;
	char config[512];
	rf_error err = { 0 };
	rf_plan plan;
	int r;

	snprintf(config, sizeof(config), "{" ROOT ", \"linux\": {\"cgroupsPath\": \"%s\"}}",
		 c->path);
	rf_plan_init(&plan);
	plan.cgroup_manager = RF_CGROUP_MANAGER_SYSTEMD;
	r = rf_bundle_load(make_bundle(config), &plan, false, NULL, &err);
	if (c->slice) {
		if (r < 0)
			fail_msg("refused: %s", err.msg);
		assert_string_equal(plan.slice, c->slice);
		assert_string_equal(plan.unit, c->unit);
		assert_string_equal(plan.name, "container");
		assert_null(plan.cgroup_parent);
	} else if (r == 0 || !strstr(err.msg, c->want) || !strstr(err.msg, "linux.cgroupsPath")) {
		fail_msg("\"%s\" does not name linux.cgroupsPath and \"%s\"", err.msg, c->want);
	}
	rf_plan_free(&plan);
}

/* ================================================================ paths in a root */

struct path_case {
	const char *path;
	const char *want;        /* the file it must be (relative to the root), NULL: error */
	int errnum;
};

static const struct path_case path_cases[] = {
	{ "a/b", "a/b", 0 },
	{ "/a/b", "a/b", 0 },
	{ "abs/b", "a/b", 0 },                 /* abs -> /a: the root's /a */
	{ "rel/b", "a/b", 0 },                 /* rel -> ../../../a: clamped at the root */
	{ "../../../a/b", "a/b", 0 },
	{ "a/../../a/./b", "a/b", 0 },
	{ "etc", "etc", 0 },                   /* etc -> /etc: the root's, not the host's */
	{ "loop", NULL, ELOOP },
	{ "dangling", NULL, ENOENT },
	{ "a/file/x", NULL, ENOTDIR },
};

/* root/{a/b/, a/file, etc/, abs -> /a, rel -> ../../../a, loop -> loop,
 * dangling -> /nope} */
static int make_tree(char *root, size_t len)
{
	snprintf(root, len, "/tmp/rf-test-root.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	{
		cleanup_close int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0 || mkdirat(fd, "a", 0755) < 0 || mkdirat(fd, "a/b", 0755) < 0 ||
		    mkdirat(fd, "etc", 0755) < 0 || symlinkat("/a", fd, "abs") < 0 ||
		    symlinkat("../../../a", fd, "rel") < 0 || symlinkat("loop", fd, "loop") < 0 ||
		    symlinkat("/nope", fd, "dangling") < 0)
			return -1;
		close(openat(fd, "a/file", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	}
	return 0;
}

static void same_file(int fd, const char *root, const char *rel)
{
	char path[PATH_MAX + 64];
	struct stat a, b;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(path, &b), 0);
	if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		fail_msg("resolved to another file than %s", path);
}

static void check_paths(bool walk)
{
	char root[PATH_MAX];
	cleanup_close int rootfd = -1;

	if (walk)
		setenv("RINGFENCE_NO_OPENAT2", "1", 1);
	else
		unsetenv("RINGFENCE_NO_OPENAT2");
	assert_int_equal(make_tree(root, sizeof(root)), 0);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(rootfd >= 0);
	for (size_t i = 0; i < RF_ARRAY_SIZE(path_cases); i++) {
		const struct path_case *c = &path_cases[i];
		int fd = rf_path_open_in_root(rootfd, c->path, O_PATH);

		if (!c->want) {
			if (fd >= 0 || errno != c->errnum)
				fail_msg("%s: fd %d, errno %d, want errno %d", c->path, fd, errno,
					 c->errnum);
			continue;
		}
		if (fd < 0)
			fail_msg("%s: %s", c->path, strerror(errno));
		same_file(fd, root, c->want);
		close(fd);
	}
	/* A name longer than NAME_MAX is refused, not cut to the file its first
	 * NAME_MAX bytes name. */
	{
		char name[NAME_MAX + 2];

		memset(name, 'n', NAME_MAX);
		name[NAME_MAX] = '\0';
		close(openat(rootfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
		name[NAME_MAX] = 'n';
		name[NAME_MAX + 1] = '\0';
		assert_int_equal(rf_path_open_in_root(rootfd, name, O_PATH), -1);
		assert_int_equal(errno, ENAMETOOLONG);
	}
	/* Made through symlinks: inside the root, and nothing outside. */
	{
		rf_error err = { 0 };
		int fd = rf_path_make_in_root(rootfd, "abs/new/dir", false, &err);

		if (fd < 0)
			fail_msg("%s", err.msg);
		same_file(fd, root, "a/new/dir");
		close(fd);
		fd = rf_path_make_in_root(rootfd, "rel/newfile", true, &err);
		if (fd < 0)
			fail_msg("%s", err.msg);
		same_file(fd, root, "a/newfile");
		close(fd);
		assert_int_equal(rf_path_make_in_root(rootfd, "dangling/x", false, &err), -1);
		assert_int_equal(access("/a/new", F_OK), -1);
		assert_int_equal(rf_path_make_in_root(rootfd, "a/file", false, &err), -1);
		assert_non_null(strstr(err.msg, "is not a directory"));
	}
	/* Read: a regular file (through a link), never a directory or a FIFO. */
	{
		int fd = rf_path_read_in_root(rootfd, "rel/file");

		assert_true(fd >= 0);
		same_file(fd, root, "a/file");
		assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
		close(fd);
		assert_int_equal(mkfifoat(rootfd, "etc/fifo", 0600), 0);
		assert_int_equal(rf_path_read_in_root(rootfd, "etc/fifo"), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(rf_path_read_in_root(rootfd, "abs"), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(rf_path_read_in_root(rootfd, "loop"), -1);
		assert_int_equal(errno, ELOOP);
	}
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	unsetenv("RINGFENCE_NO_OPENAT2");
}

static void test_paths_openat2(void **state)
{
	(void)state;
	check_paths(false);
}

static void test_paths_walk(void **state)
{
	(void)state;
	check_paths(true);
}

/* ================================================================ the device program */

/* The instructions devices.c emits, run on one request: 1 allow, 0 deny. */
static int run_program(const struct bpf_insn *insn, size_t n, int type, int access,
		       uint32_t major, uint32_t minor)
{
	struct bpf_cgroup_dev_ctx ctx = { .access_type = (uint32_t)(access << 16 | type),
					  .major = major, .minor = minor };
	uint64_t r[11] = { 0 };

	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &insn[pc];

		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			r[i->dst_reg] = *(const uint32_t *)((const char *)&ctx + i->off);
			break;
		case BPF_ALU64 | BPF_MOV | BPF_X:
			r[i->dst_reg] = r[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = (uint64_t)(int64_t)i->imm;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			r[i->dst_reg] = (uint32_t)r[i->dst_reg] & (uint32_t)i->imm;
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> i->imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			if (r[i->dst_reg] == (uint64_t)(int64_t)i->imm)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[0];
		default:
			fail_msg("instruction %zu: unexpected code %#x", pc, i->code);
		}
	}
	fail_msg("ran off the end");
	return -1;
}

#define C BPF_DEVCG_DEV_CHAR
#define B BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static const rf_devrule deny_all_then_null[] = {
	{ false, 'a', -1, -1, 7 },
	{ true, 'c', 1, 3, RF_DEV_READ | RF_DEV_WRITE },
	{ false, 'c', 1, 3, RF_DEV_WRITE },    /* later: write to null refused again */
	{ true, 'b', 8, -1, RF_DEV_READ },     /* any sd disk, read only */
};

static const struct dev_case {
	int type, access;
	uint32_t major, minor;
	int want;
} dev_cases[] = {
	{ C, R, 1, 3, 1 },          /* allowed by rule 1 */
	{ C, W, 1, 3, 0 },          /* rule 2, later, denies writing */
	{ C, R | W, 1, 3, 0 },      /* a deny of any part denies the request */
	{ C, M, 1, 3, 0 },          /* mknod was never allowed */
	{ C, R, 1, 5, 0 },          /* zero: only the deny-all matches */
	{ B, R, 8, 16, 1 },         /* any minor of major 8 */
	{ B, R | W, 8, 0, 0 },      /* more than the rule allows */
	{ C, R, 8, 0, 0 },          /* the type must match */
};

static void test_devices(void **state)
{
	struct bpf_insn insn[256];
	rf_error err = { 0 };
	size_t n;

	(void)state;
	assert_int_equal(rf_devices_program(deny_all_then_null, RF_ARRAY_SIZE(deny_all_then_null),
					    insn, RF_ARRAY_SIZE(insn), &n, &err), 0);
	for (size_t i = 0; i < RF_ARRAY_SIZE(dev_cases); i++) {
		const struct dev_case *c = &dev_cases[i];
		int got = run_program(insn, n, c->type, c->access, c->major, c->minor);

		if (got != c->want)
			fail_msg("case %zu: %s, want %s", i, got ? "allowed" : "denied",
				 c->want ? "allowed" : "denied");
	}
	/* no rules: nothing is allowed */
	assert_int_equal(rf_devices_program(NULL, 0, insn, RF_ARRAY_SIZE(insn), &n, &err), 0);
	assert_int_equal(run_program(insn, n, C, R, 1, 3), 0);
	/* more rules than room: an error naming the key */
	assert_int_equal(rf_devices_program(deny_all_then_null, 4, insn, 8, &n, &err), -1);
	assert_non_null(strstr(err.msg, "linux.resources.devices"));
}

/* The default device list allows tun only with the container's own network
 * namespace, made or joined: in the host's, a tun device is the host's. */
static const struct tun_case {
	const char *namespaces;
	bool tun;
} tun_cases[] = {
	{ "[{\"type\": \"mount\"}]", false },
	{ "[{\"type\": \"mount\"}, {\"type\": \"network\"}]", true },
	{ "[{\"type\": \"mount\"}, {\"type\": \"network\", \"path\": \"/proc/self/ns/net\"}]",
	  true },
};

static void test_tun(void **state)
{
	const struct tun_case *c = *state;
	char config[512];
	rf_error err = { 0 };
	bool tun = false;
	rf_plan plan;

	snprintf(config, sizeof(config), "{\"root\": {\"path\": \"rootfs\"}, "
		 "\"linux\": {\"namespaces\": %s}}", c->namespaces);
	rf_plan_init(&plan);
	if (rf_bundle_load(make_bundle(config), &plan, false, NULL, &err) < 0 ||
	    rf_container_finalize(&plan, NULL, &err) < 0)
		fail_msg("%s: %s", c->namespaces, err.msg);
	for (size_t i = 0; i < plan.limits.n_dev_rules; i++) {
		const rf_devrule *r = &plan.limits.dev_rules[i];

		tun |= r->allow && r->type == 'c' && r->major == 10 && r->minor == 200;
	}
	if (tun != c->tun)
		fail_msg("%s: tun %s", c->namespaces, tun ? "allowed" : "not allowed");
	rf_plan_free(&plan);
}

int main(void)
{
	static struct rf_cases cases;
	int failed;

	rf_case_add(&cases, test_crun_spec, NULL, "a crun spec bundle, read with OCI's meaning");
	rf_case_add(&cases, test_dump_round_trip, NULL, "a bundle's dump reads back the same");
	for (size_t i = 0; i < RF_ARRAY_SIZE(cgpath_cases); i++)
		rf_case_add(&cases, test_cgroups_path, &cgpath_cases[i], "cgroupsPath `%s`",
			    cgpath_cases[i].path);
	for (size_t i = 0; i < RF_ARRAY_SIZE(bad_cases); i++)
		rf_case_add(&cases, test_bad, &bad_cases[i], "bad bundle: %s", bad_cases[i].want);
	rf_case_add(&cases, test_process_defaults, NULL,
		    "a bundle's process: OCI's defaults, execCPUAffinity as given");
	for (size_t i = 0; i < RF_ARRAY_SIZE(systemd_cases); i++)
		rf_case_add(&cases, test_systemd_path, &systemd_cases[i],
			    "--systemd-cgroup cgroupsPath `%s`", systemd_cases[i].path);
	rf_case_add(&cases, test_paths_openat2, NULL, "paths in a root: openat2");
	rf_case_add(&cases, test_paths_walk, NULL, "paths in a root: the walk");
	rf_case_add(&cases, test_devices, NULL, "the device program decides as the rules say");
	for (size_t i = 0; i < RF_ARRAY_SIZE(tun_cases); i++)
		rf_case_add(&cases, test_tun, &tun_cases[i], "tun allowed: %s",
			    tun_cases[i].namespaces);
	failed = rf_cases_run(&cases, "bundle");
	group_teardown(NULL);
	return failed;
}
