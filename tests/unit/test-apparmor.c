/* src/apparmor.c: which names a bundle may give, and the line written to
 * the exec attribute (exec, or stack for a confined caller under
 * no_new_privs). Entering a profile is tested in the VM, beside runc and
 * crun (tests/vm/engines/apparmor.bats). */
#include "config.h"

#include <errno.h>

#include "cases.h"
#include "ringfence/apparmor.h"
#include "ringfence/cleanup.h"

struct name_row {
	const char *name;
	const char *msg;         /* NULL: accepted */
};

static const struct name_row names[] = {
	{ "docker-default", NULL },
	{ "cri-containerd.apparmor.d", NULL },
	{ "/usr/bin/foo", NULL },          /* a path-named profile */
	{ "unconfined", NULL },
	{ "a b", NULL },                   /* the kernel reads the rest of the line */
	{ "", "expected a profile name of 1 to 1024 bytes" },
	{ "a\nexec unconfined", "without control characters" },
	{ "tab\there", "without control characters" },
	{ "del\x7f", "without control characters" },
};

static void test_name(void **state)
{
	const struct name_row *r = *state;
	rf_error err = { 0 };
	int rc = rf_apparmor_check_name(r->name, &err);

	if (!r->msg) {
		assert_int_equal(rc, 0);
		return;
	}
	assert_int_equal(rc, -1);
	assert_int_equal(err.errnum, 0);
	assert_non_null(strstr(err.msg, r->msg));
}

static void test_name_length(void **state)
{
	char name[RF_APPARMOR_NAME_MAX + 2];
	rf_error err = { 0 };

	(void)state;
	memset(name, 'p', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(rf_apparmor_check_name(name, &err), -1);
	name[RF_APPARMOR_NAME_MAX] = '\0';
	assert_int_equal(rf_apparmor_check_name(name, &err), 0);
}

struct value_row {
	bool no_new_privs;
	const char *current;     /* what attr/current said */
	const char *want;
};

static const struct value_row values[] = {
	{ false, "unconfined\n", "exec p" },
	{ true, "unconfined\n", "exec p" },
	{ true, "unconfined", "exec p" },
	{ false, "outer (enforce)\n", "exec p" },
	{ true, "outer (enforce)\n", "stack p" },
	{ true, "unconfined_foo (enforce)\n", "stack p" },   /* not the token */
	{ true, "", "stack p" },                             /* in doubt: confined */
};

static void test_value(void **state)
{
	const struct value_row *r = *state;
	char buf[64];
	rf_error err = { 0 };

	assert_int_equal(rf_apparmor_attr_value("p", r->no_new_privs, r->current, buf, sizeof(buf),
						&err), 0);
	assert_string_equal(buf, r->want);
}

static void test_value_too_long(void **state)
{
	char buf[8];
	rf_error err = { 0 };

	(void)state;
	assert_int_equal(rf_apparmor_attr_value("longer", false, "unconfined", buf, sizeof(buf),
						&err), -1);
	assert_int_equal(err.errnum, ENAMETOOLONG);
}

int main(void)
{
	static struct rf_cases cases;

	for (size_t i = 0; i < RF_ARRAY_SIZE(names); i++)
		rf_case_add(&cases, test_name, &names[i], "name %zu `%.*s`", i,
			    (int)strcspn(names[i].name, "\t\n\x7f"), names[i].name);
	rf_case_add(&cases, test_name_length, NULL, "name of %d bytes, and one more",
		    RF_APPARMOR_NAME_MAX);
	for (size_t i = 0; i < RF_ARRAY_SIZE(values); i++)
		rf_case_add(&cases, test_value, &values[i], "nnp %d, current `%.*s`: %s",
			    values[i].no_new_privs, (int)strcspn(values[i].current, "\n"),
			    values[i].current, values[i].want);
	rf_case_add(&cases, test_value_too_long, NULL, "a value longer than the buffer");
	return rf_cases_run(&cases, "apparmor");
}
