/* ringfence check: can `run` work on this host, and its OOM posture, as text
 * or JSON. Exit 0 when `run` can work here, 1 when it cannot, 125 on bad usage. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ringfence/check.h"
#include "ringfence/json.h"
#include "ringfence/verdict.h"

static const char usage[] =
	"Usage: ringfence check [--json]\n"
	"\n"
	"Say whether `ringfence run` can work on this host and, if not, exactly why\n"
	"and how to fix it; show the cgroup v2 controllers on offer, kernel features,\n"
	"the OOM posture (vm.overcommit_memory, vm.panic_on_oom), NUMA nodes and swap.\n"
	"Nothing is created.\n"
	"\n"
	"Options:\n"
	"  --json      print the report as one JSON object\n"
	"  -h, --help  show this help\n"
	"\n"
	"Exit status: 0 when run can work here, 1 when it cannot, 125 on bad usage.\n";

static const char *tristate(rf_tristate t)
{
	return t == RF_YES ? "yes" : t == RF_NO ? "no" : "unknown";
}

static const char *size(uint64_t v, char *buf, size_t len)
{
	rf_format_size(v, buf, len);
	return buf;
}

#define SIZE(v) size((v), (char[32]){ 0 }, 32)

static const char *controllers(unsigned mask, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned bit = 0; bit < RF_CHECK_CONTROLLERS && used < len; bit++)
		if (mask & (1u << bit))
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "",
						 cg_controller_name(1u << bit));
	return used ? buf : "(none)";
}

#define CTRLS(m) controllers((m), (char[96]){ 0 }, 96)

static void text_cgroups(const rf_check *r)
{
	puts("cgroup v2");
	if (!r->cg2) {
		puts("  mount            (none)");
	} else {
		printf("  mount            %s%s\n", r->mount.path,
		       r->hybrid ? " (hybrid: cgroup v1 hierarchies are mounted too)" : "");
		printf("  root offers      %s\n", r->root_read ? CTRLS(r->root_controllers) : "?");
		printf("  your cgroup      %s (offers %s%s)\n", r->self[0] ? r->self : "?",
		       CTRLS(r->self_controllers),
		       r->self_delegated == RF_YES ? ", writable by you" :
		       r->self_delegated == RF_NO ? ", not delegated to you" : "");
		if (!strcmp(r->manager, "systemd"))
			printf("  default parent   a new scope below %s (can give its leaves %s)\n",
			       r->parent[0] ? r->parent : "?", CTRLS(r->parent_controllers));
		else
			printf("  default parent   %s (can give its leaves %s)\n", r->parent,
			       CTRLS(r->parent_controllers));
		printf("  manager          %s (%s)\n", r->manager, r->manager_why);
		if (r->limited[0])
			printf("  your limit       %s sets %s: sandboxes stay inside it\n", r->limited,
			       r->limit);
		if (r->unit_limited[0])
			printf("  systemd's limit  %s sets %s: not on sandboxes (a unit systemd did "
			       "not delegate; see ringfence(1))\n", r->unit_limited, r->unit_limit);
		if (r->systemd.answered)
			printf("  systemd          %s answers at %s; its scopes can get %s\n",
			       r->systemd.user ? "your user manager" : "the system manager",
			       r->systemd.socket, CTRLS(r->systemd.controllers));
		else
			printf("  systemd          %s\n", r->systemd.why);
	}
	printf("  run needs        %s\n", CTRLS(r->need));
	if (r->v1_controllers) {
		puts("cgroup v1");
		for (unsigned bit = 0; bit < RF_CHECK_CONTROLLERS; bit++)
			if (r->v1_controllers & (1u << bit))
				printf("  %-16s %s\n", cg_controller_name(1u << bit), r->v1_path[bit]);
	}
}

static void text_kernel(const rf_check *r)
{
	const struct {
		const char *name;
		const rf_check_feature *f;
	} rows[] = {
		{ "clone3 into cgroup", &r->clone3_cgroup },
		{ "cgroup.kill", &r->cgroup_kill },
		{ "memory.peak", &r->memory_peak },
		{ "oom_group_kill", &r->oom_group_kill },
	};

	printf("kernel             Linux %s\n", r->kernel);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		printf("  %-18s %s (%s)\n", rows[i].name, tristate(rows[i].f->state), rows[i].f->how);
}

static void text_memory(const rf_check *r)
{
	const rf_host *h = &r->host;

	puts("memory");
	if (!r->host_read) {
		puts("  (could not read /proc/sys/vm and /proc/meminfo)");
		return;
	}
	printf("  total            %s (%s available)\n", SIZE(h->mem_total), SIZE(h->mem_available));
	if (h->swap_total)
		printf("  swap             %s (%s free); run sets memory.swap.max to 0 under "
		       "--memory unless --swap is given\n", SIZE(h->swap_total), SIZE(h->swap_free));
	else
		puts("  swap             none");
	printf("  vm.overcommit_memory  %d: %s\n", h->overcommit_memory,
	       rf_check_overcommit_text(h->overcommit_memory));
	printf("  commit           %s committed of a %s CommitLimit%s\n", SIZE(h->committed_as),
	       SIZE(h->commit_limit),
	       h->overcommit_memory == 2 ? "" : " (enforced only when overcommit_memory is 2)");
	printf("  vm.panic_on_oom  %d: %s\n", h->panic_on_oom, rf_check_panic_text(h->panic_on_oom));
	printf("  vm.oom_kill_allocating_task  %d\n", h->oom_kill_allocating_task);
}

static void text_report(const rf_check *r)
{
	text_cgroups(r);
	text_kernel(r);
	text_memory(r);
	printf("NUMA               %zu node%s\n", r->n_nodes, r->n_nodes == 1 ? "" : "s");
	for (size_t i = 0; i < r->n_nodes; i++)
		printf("  node %-11u %s (%s free)\n", r->nodes[i].id, SIZE(r->nodes[i].total),
		       SIZE(r->nodes[i].free));
	if (r->n_notes) {
		puts("notes");
		for (size_t i = 0; i < r->n_notes; i++)
			printf("  - %s\n", r->notes[i]);
	}
	putchar('\n');
	if (r->ready) {
		puts("ringfence run can work here.");
		return;
	}
	printf("ringfence run cannot work here: %s.\n", r->reason);
	printf("fix: %s.\n", r->fix);
}

static void json_ctrls(rf_json_writer *w, const char *key, unsigned mask)
{
	rf_json_key(w, key);
	rf_json_begin_array(w);
	for (unsigned bit = 0; bit < RF_CHECK_CONTROLLERS; bit++)
		if (mask & (1u << bit))
			rf_json_string(w, cg_controller_name(1u << bit));
	rf_json_end_array(w);
}

static void json_tristate(rf_json_writer *w, const char *key, rf_tristate t)
{
	rf_json_key(w, key);
	if (t == RF_UNKNOWN)
		rf_json_null(w);
	else
		rf_json_bool(w, t == RF_YES);
}

static void json_cgroups(rf_json_writer *w, const rf_check *r)
{
	rf_json_key(w, "cgroup2");
	rf_json_begin_object(w);
	rf_json_key(w, "mount");
	rf_json_string(w, r->cg2 ? r->mount.path : NULL);
	rf_json_key(w, "hybrid");
	rf_json_bool(w, r->hybrid);
	json_ctrls(w, "root_controllers", r->root_controllers);
	rf_json_key(w, "self");
	rf_json_string(w, r->self[0] ? r->self : NULL);
	json_ctrls(w, "self_controllers", r->self_controllers);
	json_tristate(w, "self_delegated", r->self_delegated);
	rf_json_key(w, "parent");
	rf_json_string(w, r->cg2 ? r->parent : NULL);
	json_ctrls(w, "parent_controllers", r->parent_controllers);
	json_ctrls(w, "required", r->need);
	json_ctrls(w, "missing", r->need & ~r->parent_controllers);
	rf_json_key(w, "manager");
	rf_json_string(w, r->manager[0] ? r->manager : NULL);
	rf_json_key(w, "manager_why");
	rf_json_string(w, r->manager[0] ? r->manager_why : NULL);
	rf_json_key(w, "limited");
	rf_json_string(w, r->limited[0] ? r->limited : NULL);
	rf_json_key(w, "limit");
	rf_json_string(w, r->limited[0] ? r->limit : NULL);
	rf_json_key(w, "unit_limited");
	rf_json_string(w, r->unit_limited[0] ? r->unit_limited : NULL);
	rf_json_key(w, "unit_limit");
	rf_json_string(w, r->unit_limited[0] ? r->unit_limit : NULL);
	rf_json_end_object(w);
	rf_json_key(w, "systemd");
	rf_json_begin_object(w);
	rf_json_key(w, "found");
	rf_json_bool(w, r->systemd.found);
	rf_json_key(w, "answered");
	rf_json_bool(w, r->systemd.answered);
	rf_json_key(w, "manager");
	rf_json_string(w, r->systemd.user ? "user" : "system");
	rf_json_key(w, "socket");
	rf_json_string(w, r->systemd.socket[0] ? r->systemd.socket : NULL);
	rf_json_key(w, "cgroup");
	rf_json_string(w, r->systemd.answered ? r->systemd.cgroup : NULL);
	json_ctrls(w, "scope_controllers", r->systemd.controllers);
	rf_json_key(w, "why_not");
	rf_json_string(w, r->systemd.answered ? NULL : r->systemd.why);
	rf_json_end_object(w);
	rf_json_key(w, "cgroup1");
	rf_json_begin_object(w);
	for (unsigned bit = 0; bit < RF_CHECK_CONTROLLERS; bit++) {
		if (!(r->v1_controllers & (1u << bit)))
			continue;
		rf_json_key(w, cg_controller_name(1u << bit));
		rf_json_string(w, r->v1_path[bit]);
	}
	rf_json_end_object(w);
}

static void json_kernel(rf_json_writer *w, const rf_check *r)
{
	rf_json_key(w, "kernel");
	rf_json_begin_object(w);
	rf_json_key(w, "release");
	rf_json_string(w, r->kernel);
	json_tristate(w, "clone3_into_cgroup", r->clone3_cgroup.state);
	json_tristate(w, "cgroup_kill", r->cgroup_kill.state);
	json_tristate(w, "memory_peak", r->memory_peak.state);
	json_tristate(w, "oom_group_kill", r->oom_group_kill.state);
	rf_json_end_object(w);
}

static void json_int_or_null(rf_json_writer *w, const char *key, int v)
{
	rf_json_key(w, key);
	if (v < 0)
		rf_json_null(w);
	else
		rf_json_int(w, v);
}

static void json_memory(rf_json_writer *w, const rf_check *r)
{
	const rf_host *h = &r->host;
	const struct {
		const char *key;
		uint64_t v;
	} sizes[] = {
		{ "mem_total", h->mem_total }, { "mem_available", h->mem_available },
		{ "swap_total", h->swap_total }, { "swap_free", h->swap_free },
		{ "commit_limit", h->commit_limit }, { "committed_as", h->committed_as },
	};

	rf_json_key(w, "memory");
	rf_json_begin_object(w);
	json_int_or_null(w, "overcommit_memory", r->host_read ? h->overcommit_memory : -1);
	json_int_or_null(w, "overcommit_ratio", r->host_read ? h->overcommit_ratio : -1);
	json_int_or_null(w, "panic_on_oom", r->host_read ? h->panic_on_oom : -1);
	json_int_or_null(w, "oom_kill_allocating_task",
			 r->host_read ? h->oom_kill_allocating_task : -1);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		rf_json_key(w, sizes[i].key);
		if (r->host_read)
			rf_json_uint(w, sizes[i].v);
		else
			rf_json_null(w);
	}
	rf_json_end_object(w);
}

static void json_numa(rf_json_writer *w, const rf_check *r)
{
	rf_json_key(w, "numa");
	rf_json_begin_object(w);
	rf_json_key(w, "nodes");
	rf_json_begin_array(w);
	for (size_t i = 0; i < r->n_nodes; i++) {
		rf_json_begin_object(w);
		rf_json_key(w, "node");
		rf_json_uint(w, r->nodes[i].id);
		rf_json_key(w, "total");
		rf_json_uint(w, r->nodes[i].total);
		rf_json_key(w, "free");
		rf_json_uint(w, r->nodes[i].free);
		rf_json_end_object(w);
	}
	rf_json_end_array(w);
	rf_json_end_object(w);
}

static int json_report(const rf_check *r)
{
	rf_json_writer *w = rf_json_writer_new(true);
	char *out = NULL;
	size_t len = 0;
	rf_error err = { 0 };
	int rc;

	if (!w) {
		fputs("ringfence: out of memory\n", stderr);
		return RF_EXIT_FAILURE;
	}
	rf_json_begin_object(w);
	rf_json_key(w, "ready");
	rf_json_bool(w, r->ready);
	rf_json_key(w, "reason");
	rf_json_string(w, r->ready ? NULL : r->reason);
	rf_json_key(w, "fix");
	rf_json_string(w, r->ready ? NULL : r->fix);
	json_cgroups(w, r);
	json_kernel(w, r);
	json_memory(w, r);
	json_numa(w, r);
	rf_json_key(w, "notes");
	rf_json_begin_array(w);
	for (size_t i = 0; i < r->n_notes; i++)
		rf_json_string(w, r->notes[i]);
	rf_json_end_array(w);
	rf_json_end_object(w);
	rc = rf_json_writer_finish(w, &out, &len, &err);
	rf_json_writer_free(w);
	if (rc < 0) {
		cli_print_error(&err);
		return RF_EXIT_FAILURE;
	}
	fwrite(out, 1, len, stdout);
	if (len && out[len - 1] != '\n')
		putchar('\n');
	free(out);
	return 0;
}

int cmd_check(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	rf_error err = { 0 };
	bool json = false;
	rf_check *r;
	int opt, rc;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cli_usage_error("check", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("check", "unexpected argument `%s`", argv[optind]);
	r = calloc(1, sizeof(*r));
	if (!r) {
		fputs("ringfence: out of memory\n", stderr);
		return RF_EXIT_FAILURE;
	}
	if (rf_check_gather(r, &err) < 0) {
		cli_print_error(&err);
		free(r);
		return RF_EXIT_FAILURE;
	}
	if (json) {
		rc = json_report(r);
	} else {
		text_report(r);
		rc = 0;
	}
	if (rc == 0)
		rc = r->ready ? 0 : 1;
	free(r);
	return rc;
}
