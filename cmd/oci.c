/* The runtime's command line (runc-compatible): the global options before
 * the command, logging (--log, --log-format), and helpers the container
 * commands share. The commands themselves are one file each
 * (create.c, start.c, ...). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ringfence/bundle.h"
#include "ringfence/cgroup-manager.h"
#include "ringfence/cleanup.h"
#include "ringfence/container.h"
#include "ringfence/json.h"
#include "ringfence/profile.h"
#include "ringfence/sealed-exe.h"
#include "ringfence/setuid.h"
#include "ringfence/verdict.h"

cli_runtime cli_rt = { .log_fd = -1 };

static int set_root(const char *arg)
{
	if (!*arg || strlen(arg) >= sizeof(cli_rt.root))
		return -1;
	snprintf(cli_rt.root, sizeof(cli_rt.root), "%s", arg);
	return 0;
}

/* `--name VALUE` or `--name=VALUE` at argv[*i]: the value, or NULL. */
static const char *global_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

int cli_runtime_globals(int argc, char **argv)
{
	int i;

	cli_rt.argv = argv;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2]; i++) {
		const char *v;

		if ((v = global_value(argc, argv, &i, "--root"))) {
			if (set_root(v) < 0)
				return -cli_usage_error(NULL, "--root: expected a directory");
		} else if ((v = global_value(argc, argv, &i, "--log-format"))) {
			if (strcmp(v, "text") && strcmp(v, "json"))
				return -cli_usage_error(NULL, "--log-format: expected text or json, got `%s`", v);
			cli_rt.log_json = !strcmp(v, "json");
		} else if ((v = global_value(argc, argv, &i, "--log"))) {
			cli_rt.log_path = v;
		} else if ((v = global_value(argc, argv, &i, "--rootless"))) {
			if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "auto"))
				return -cli_usage_error(NULL, "--rootless: expected true, false or auto, got `%s`", v);
		} else if (!strcmp(argv[i], "--rootless")) {
			/* the flag alone, last: true (runc would want a value) */
		} else if (!strcmp(argv[i], "--systemd-cgroup")) {
			cli_rt.systemd_cgroup = true;
		} else if (!strcmp(argv[i], "--debug")) {
			cli_rt.debug = true;
		} else {
			break;   /* --help, --version, or not ours */
		}
		cli_rt.given = true;
	}
	if (cli_rt.log_path) {
		cli_rt.log_fd = open(cli_rt.log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (cli_rt.log_fd < 0)
			return -cli_usage_error(NULL, "--log: open `%s`: %s", cli_rt.log_path,
						strerror(errno));
	}
	return i;
}

/* One record in the log: logrus's JSON ({"level","msg","time"}) or text. */
static void log_line(const char *level, const char *msg)
{
	char when[64], line[RF_ERROR_MSG_MAX * 2 + 128];
	time_t now = time(NULL);
	struct tm tm;
	int n;

	if (cli_rt.log_fd < 0)
		return;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (cli_rt.log_json) {
		rf_json_writer *w = rf_json_writer_new(false);
		cleanup_free char *text = NULL;
		size_t len;

		if (!w)
			return;
		rf_json_begin_object(w);
		rf_json_key(w, "level");
		rf_json_string(w, level);
		rf_json_key(w, "msg");
		rf_json_string(w, msg);
		rf_json_key(w, "time");
		rf_json_string(w, when);
		rf_json_end_object(w);
		n = rf_json_writer_finish(w, &text, &len, NULL);
		rf_json_writer_free(w);
		if (n < 0)
			return;
		n = snprintf(line, sizeof(line), "%s\n", text);
	} else {
		n = snprintf(line, sizeof(line), "time=\"%s\" level=%s msg=\"%s\"\n", when, level, msg);
	}
	if (n > 0)
		(void)!write(cli_rt.log_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void emit_oci_diag(void *userdata, rf_level level, const char *msg)
{
	(void)userdata;
	if (level == RF_LOG_DEBUG && !cli_rt.debug && !getenv("RINGFENCE_DEBUG"))
		return;
	/* With --log, warnings go there only: the runtime's stderr is often the
	 * container's own (create hands its stdio on), and an engine reads the
	 * log. Errors go to both (cli_oci_fail). */
	if (cli_rt.log_fd >= 0)
		log_line(level == RF_LOG_WARNING ? "warning" : level == RF_LOG_DEBUG ? "debug" : "info",
			 msg);
	else
		fprintf(stderr, "ringfence: %s%s\n", level == RF_LOG_WARNING ? "warning: " : "", msg);
}

const rf_diag cli_oci_diag = { .emit = emit_oci_diag, .userdata = NULL };

int cli_oci_fail(const rf_error *err)
{
	char buf[RF_ERROR_MSG_MAX + 128];

	rf_error_format(err, buf, sizeof(buf));
	log_line("error", buf);
	fprintf(stderr, "ringfence: %s\n", buf);
	return RF_EXIT_FAILURE;
}

int cli_oci_usage(const char *command, const char *fmt, ...)
{
	rf_error err = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	log_line("error", err.msg);
	fprintf(stderr, "ringfence: %s\nTry 'ringfence %s --help' for more information.\n",
		err.msg, command);
	return RF_EXIT_FAILURE;
}

const char *cli_oci_root(void)
{
	rf_error err = { 0 };

	if (!cli_rt.root[0] && rf_container_default_root(cli_rt.root, sizeof(cli_rt.root), &err) < 0) {
		cli_oci_fail(&err);
		return NULL;
	}
	return cli_rt.root;
}

int cli_oci_id_only(int argc, char **argv, const char *usage, const char **id)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int opt;

	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage, stdout);
			return 1;
		}
		return -cli_oci_usage(argv[0], "`%s`: unknown option", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return -cli_oci_usage(argv[0], "expected one container ID, got %d arguments",
				      argc - optind);
	*id = argv[optind];
	return 0;
}

int cli_sealed_exe(void)
{
	rf_error err = { 0 };

	if (rf_setuid_active() || rf_sealed_exe_reexec(cli_rt.argv, &err) == 0)
		return 0;
	return cli_oci_fail(&err);
}

int cli_json_object(const char *text, const char *what, rf_error *err)
{
	rf_json *j = rf_json_parse(text, strlen(text), err);
	bool object;

	if (!j)
		return rf_error_prefix(err, "%s", what);
	object = rf_json_typeof(j) == RF_JSON_OBJECT;
	rf_json_free(j);
	return object ? 0 : rf_error_set(err, 0, "%s: expected one JSON object", what);
}

static int load_bundle(const char *bundle, const char *text, rf_plan *plan, const rf_diag *diag,
		       rf_error *err)
{
	return text ? rf_bundle_load_text(text, strlen(text), bundle, plan, false, diag, err)
		    : rf_bundle_load(bundle, plan, false, diag, err);
}

int cli_oci_load_bundle(const char *bundle, const char *text, const char *id, rf_plan *plan,
			const rf_diag *diag, rf_error *err)
{
	char slice[256], unit[256];

	if (!cli_rt.systemd_cgroup)
		return load_bundle(bundle, text, plan, diag, err);
	/* linux.cgroupsPath is then systemd's "slice:prefix:name" (read by
	 * the bundle's loader), by default ":ringfence:ID" as runc's
	 * ":runc:ID". */
	plan->cgroup_manager = RF_CGROUP_MANAGER_SYSTEMD;
	if (load_bundle(bundle, text, plan, diag, err) < 0)
		return -1;
	if (plan->unit)
		return 0;
	if (cg_systemd_cgroups_path("", id, slice, sizeof(slice), unit, sizeof(unit), err) < 0)
		return rf_error_prefix(err, "--systemd-cgroup");
	free(plan->slice);
	free(plan->name);
	plan->slice = strdup(slice);
	plan->unit = strdup(unit);
	plan->name = strdup("container");
	if (!plan->slice || !plan->unit || !plan->name)
		return rf_error_set(err, ENOMEM, "--systemd-cgroup");
	return 0;
}
