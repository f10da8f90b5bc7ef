/* OCI hooks: a bundle's `hooks` as start and delete read them from the saved
 * config.json (rf_profile_load_hooks, the same reader create uses), and
 * src/hooks.c running them: the state on stdin, the environment, the working
 * directory, and how a failure is told. */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases.h"
#include "ringfence/cleanup.h"
#include "ringfence/hooks.h"
#include "ringfence/profile.h"

/* ---- reading --------------------------------------------------------- */

struct load_case {
	const char *json;
	const char *error;       /* the whole message, or NULL: loads */
	int kind;                /* the one hook loaded, its fields below */
	const char *path;
	const char *argv;        /* argv joined by spaces */
	const char *env;         /* env joined by spaces, "-" for none (ours) */
	unsigned timeout;
};

static const struct load_case load_cases[] = {
	{ "{\"hooks\":{\"prestart\":[{\"path\":\"/bin/true\"}]}}", NULL, RF_HOOK_PRESTART,
	  "/bin/true", "/bin/true", "-", 0 },
	{ "{\"hooks\":{\"poststop\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"x\"],"
	  "\"env\":[\"A=1\",\"B=2\"],\"timeout\":5}]}}", NULL, RF_HOOK_POSTSTOP,
	  "/bin/sh", "sh -c x", "A=1 B=2", 5 },
	{ "{\"hooks\":{\"startContainer\":[{\"path\":\"/x\",\"args\":[]}]}}", NULL,
	  RF_HOOK_START_CONTAINER, "/x", "/x", "-", 0 },
	{ "{\"hooks\":{\"createRuntime\":[{\"path\":\"/x\",\"env\":[]}]}}", NULL,
	  RF_HOOK_CREATE_RUNTIME, "/x", "/x", "", 0 },
	{ "{\"hooks\":{\"prestart\":[{\"path\":\"bin/true\"}]}}",
	  "hooks.prestart[0].path: `bin/true` is not an absolute path", 0, NULL, NULL, NULL, 0 },
	{ "{\"hooks\":{\"prestart\":[{\"args\":[\"a\"]}]}}",
	  "hooks.prestart[0].path: required", 0, NULL, NULL, NULL, 0 },
	{ "{\"hooks\":{\"poststart\":[{\"path\":\"/x\",\"timeout\":0}]}}",
	  "hooks.poststart[0].timeout: out of range (expected 1 to 4294967295)", 0, NULL, NULL,
	  NULL, 0 },
	{ "{\"hooks\":{\"poststart\":[{\"path\":\"/x\",\"args\":[1]}]}}",
	  "hooks.poststart[0].args[0]: expected string, got integer", 0, NULL, NULL, NULL, 0 },
	{ "{\"hooks\":{\"poststart\":{}}}", "hooks.poststart: expected array, got object", 0, NULL,
	  NULL, NULL, 0 },
	{ "{\"hooks\":[]}", "hooks: expected object, got array", 0, NULL, NULL, NULL, 0 },
};

static void join(char *buf, size_t len, char **v)
{
	buf[0] = '\0';
	for (size_t i = 0; v && v[i]; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? " " : "", v[i]);
}

static void test_load(void **state)
{
	const struct load_case *t = *state;
	rf_error err = { 0 };
	rf_hooks h;
	char buf[256];
	int r = rf_profile_load_hooks(t->json, strlen(t->json), &h, &err);

	if (t->error) {
		assert_int_equal(r, -1);
		assert_string_equal(err.msg, t->error);
		return;
	}
	assert_int_equal(r, 0);
	for (int k = 0; k < RF_HOOK_KINDS; k++)
		assert_int_equal(h.n[k], k == t->kind ? 1 : 0);
	assert_string_equal(h.list[t->kind][0].path, t->path);
	join(buf, sizeof(buf), h.list[t->kind][0].argv);
	assert_string_equal(buf, t->argv);
	if (strcmp(t->env, "-")) {
		assert_non_null(h.list[t->kind][0].env);
		join(buf, sizeof(buf), h.list[t->kind][0].env);
		assert_string_equal(buf, t->env);
	} else {
		assert_null(h.list[t->kind][0].env);
	}
	assert_int_equal(h.list[t->kind][0].timeout_s, t->timeout);
	rf_hooks_free(&h);
}

static void test_load_annotations(void **state)
{
	const char *json = "{\"annotations\":{\"a\":\"1\",\"b\":\"2\"},"
			   "\"hooks\":{\"preStart\":[{\"path\":\"/x\"}]}}";
	rf_error err = { 0 };
	rf_hooks h;

	(void)state;
	/* An unknown kind is no hook of ours (create warned about it). */
	assert_int_equal(rf_profile_load_hooks(json, strlen(json), &h, &err), 0);
	assert_false(rf_hooks_any(&h, ~0u));
	assert_int_equal(h.n_annotations, 2);
	assert_string_equal(h.annotations[2], "b");
	assert_string_equal(h.annotations[3], "2");
	rf_hooks_free(&h);
}

/* ---- running --------------------------------------------------------- */

struct run_case {
	const char *script;      /* for /bin/sh -c */
	unsigned timeout;
	const char *error;       /* the whole message, or NULL: succeeds */
};

static const struct run_case run_cases[] = {
	{ "exit 0", 0, NULL },
	{ "read -r line; test -n \"$line\"", 0, NULL },   /* the state is on stdin */
	{ "echo boom; echo again >&2; exit 3", 0,
	  "hooks.prestart[0] `/bin/sh`: exited with status 3 (it wrote: boom again)" },
	{ "exit 1", 0, "hooks.prestart[0] `/bin/sh`: exited with status 1" },
	{ "kill -9 $$", 0, "hooks.prestart[0] `/bin/sh`: killed by signal 9" },
	{ "exec sleep 1000", 1, "hooks.prestart[0] `/bin/sh`: killed after its timeout of 1 s" },
	{ "echo done; exit 0", 5, NULL },
};

static void one_hook(rf_hooks *h, rf_hook_kind k, const char *path, const char *script,
		     char **env, unsigned timeout)
{
	rf_hook *hook;

	h->list[k] = realloc(h->list[k], (h->n[k] + 1) * sizeof(*h->list[k]));
	assert_non_null(h->list[k]);
	hook = &h->list[k][h->n[k]++];
	hook->path = strdup(path);
	hook->argv = calloc(4, sizeof(char *));
	hook->argv[0] = strdup("sh");
	hook->argv[1] = strdup("-c");
	hook->argv[2] = strdup(script);
	hook->env = env;
	hook->timeout_s = timeout;
}

static void test_run(void **state)
{
	const struct run_case *t = *state;
	rf_hooks h = { 0 };
	rf_hook_state st = { .hooks = &h, .id = "c1", .bundle = "/b", .status = "creating",
			     .pid = 42 };
	rf_error err = { 0 };

	one_hook(&h, RF_HOOK_PRESTART, "/bin/sh", t->script, NULL, t->timeout);
	if (t->error) {
		assert_int_equal(rf_hooks_run(RF_HOOK_PRESTART, &st, &err), -1);
		assert_string_equal(err.msg, t->error);
	} else {
		assert_int_equal(rf_hooks_run(RF_HOOK_PRESTART, &st, &err), 0);
	}
	rf_hooks_free(&h);
}

static char *slurp(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

/* What a hook sees: the state (pid left out when 0), the env given or ours,
 * its working directory, no descriptor of ours beyond 0-2. */
static void test_run_sees(void **state)
{
	char dir[] = "/tmp/rf-hooks-XXXXXX", cmd[1024], out[600];
	rf_hooks h = { 0 };
	rf_hook_state st = { .hooks = &h, .id = "c1", .bundle = "/b", .status = "stopped" };
	char *annotations[] = { strdup("k"), strdup("v"), NULL };
	char **env = calloc(2, sizeof(char *));
	rf_error err = { 0 };
	cleanup_close int kept = open("/dev/null", O_RDONLY);   /* not CLOEXEC */

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(kept >= 3);
	h.annotations = malloc(sizeof(annotations));
	memcpy(h.annotations, annotations, sizeof(annotations));
	h.n_annotations = 1;
	env[0] = strdup("ONLY=this");
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(cmd, sizeof(cmd), "{ cat; echo; echo \"env=$ONLY:$RF_TEST_INHERITED\"; pwd; "
		 "if test -e /proc/self/fd/%d; then echo leaked; fi; } > %s", kept, out);
	one_hook(&h, RF_HOOK_POSTSTOP, "/bin/sh", cmd, env, 0);
	st.cwd = dir;
	if (rf_hooks_run(RF_HOOK_POSTSTOP, &st, &err) < 0)
		fail_msg("%s", err.msg);
	snprintf(cmd, sizeof(cmd), "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"stopped\","
		 "\"bundle\":\"/b\",\"annotations\":{\"k\":\"v\"}}\nenv=this:\n%s\n", dir);
	assert_string_equal(slurp(out), cmd);

	/* No env of its own: ours, as runc's hooks get. */
	rf_strv_free(h.list[RF_HOOK_POSTSTOP][0].env);
	h.list[RF_HOOK_POSTSTOP][0].env = NULL;
	setenv("RF_TEST_INHERITED", "yes", 1);
	assert_int_equal(rf_hooks_run(RF_HOOK_POSTSTOP, &st, &err), 0);
	assert_non_null(strstr(slurp(out), "env=:yes\n"));
	unsetenv("RF_TEST_INHERITED");
	unlink(out);
	rmdir(dir);
	rf_hooks_free(&h);
}

/* rf_hooks_run stops at the first failure; rf_hooks_run_all warns and
 * goes on. */
static void count_warning(void *arg, const rf_error *e)
{
	(void)e;
	(*(int *)arg)++;
}

static void test_run_order(void **state)
{
	char dir[] = "/tmp/rf-hooks-XXXXXX", cmd[256];
	rf_hooks h = { 0 };
	rf_hook_state st = { .hooks = &h, .id = "c1", .bundle = "/b", .status = "running" };
	rf_error err = { 0 };
	int warnings = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "echo 1 >> %s/ran; exit 1", dir);
	one_hook(&h, RF_HOOK_POSTSTART, "/bin/sh", cmd, NULL, 0);
	snprintf(cmd, sizeof(cmd), "echo 2 >> %s/ran", dir);
	one_hook(&h, RF_HOOK_POSTSTART, "/bin/sh", cmd, NULL, 0);
	one_hook(&h, RF_HOOK_POSTSTART, "/nonexistent", "", NULL, 0);
	snprintf(cmd, sizeof(cmd), "%s/ran", dir);
	assert_int_equal(rf_hooks_run(RF_HOOK_POSTSTART, &st, &err), -1);
	assert_string_equal(slurp(cmd), "1\n");
	rf_hooks_run_all(RF_HOOK_POSTSTART, &st, count_warning, &warnings);
	assert_string_equal(slurp(cmd), "1\n1\n2\n");
	assert_int_equal(warnings, 2);
	unlink(cmd);
	rmdir(dir);
	rf_hooks_free(&h);
}

static void test_run_missing(void **state)
{
	rf_hooks h = { 0 };
	rf_hook_state st = { .hooks = &h, .id = "c1", .bundle = "/b", .status = "creating" };
	rf_error err = { 0 };

	(void)state;
	one_hook(&h, RF_HOOK_CREATE_RUNTIME, "/nonexistent/hook", "", NULL, 0);
	assert_int_equal(rf_hooks_run(RF_HOOK_CREATE_RUNTIME, &st, &err), -1);
	assert_string_equal(err.msg, "hooks.createRuntime[0]: run `/nonexistent/hook`");
	assert_int_equal(err.errnum, ENOENT);
	rf_hooks_free(&h);
}

int main(void)
{
	struct rf_cases cases = { 0 };

	for (size_t i = 0; i < RF_ARRAY_SIZE(load_cases); i++)
		rf_case_add(&cases, test_load, &load_cases[i], "load %s", load_cases[i].json);
	rf_case_add(&cases, test_load_annotations, NULL, "load: annotations, an unknown kind");
	for (size_t i = 0; i < RF_ARRAY_SIZE(run_cases); i++)
		rf_case_add(&cases, test_run, &run_cases[i], "run `%s`", run_cases[i].script);
	rf_case_add(&cases, test_run_sees, NULL, "run: the state, env, cwd and fds a hook sees");
	rf_case_add(&cases, test_run_order, NULL, "run: in order, to the first failure or all");
	rf_case_add(&cases, test_run_missing, NULL, "run: a hook that is not there");
	return rf_cases_run(&cases, "hooks");
}
