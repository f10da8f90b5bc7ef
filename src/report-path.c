/* The --report path pattern (include/ringfence/report.h).
 *
 * Under a scheduler the exit code is not the verdict's only carrier any
 * more: Slurm rewrites an OOM to OUT_OF_MEMORY 0:125, HTCondor and GitLab map
 * codes to their own. A pattern like /var/log/ringfence/%j.%s.%t.json keeps
 * one verdict per task, named by the identity the engine put into the
 * environment. Expansions stay one file-name part: a variable holding `/`,
 * `.` or `..` could otherwise move the report out of the directory the
 * pattern names (an admin's, in a profile). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/parse.h"
#include "ringfence/report.h"

typedef struct buf {
	char *s;
	size_t len, cap;
} buf;

static int put(buf *b, const char *s, size_t n, rf_error *err)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *grown = realloc(b->s, cap);

		if (!grown)
			return rf_error_set(err, ENOMEM, "--report: expand the pattern");
		b->s = grown;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/* One expansion: a value from `what`, checked to be one file-name part. */
static int put_part(buf *b, const char *seq, const char *var, const char *value, rf_error *err)
{
	if (!value)
		return rf_error_set(err, 0, "--report: `%s` needs %s, which is not set", seq, var);
	if (!*value || !strcmp(value, ".") || !strcmp(value, "..") || strchr(value, '/'))
		return rf_error_set(err, 0,
				    "--report: `%s` expands to `%s`, which is not a file-name part "
				    "(empty, `.`, `..` or with a `/`)", seq, RF_SHOWN(value));
	return put(b, value, strlen(value), err);
}

static int put_var(buf *b, const char *seq, const char *var, const rf_report_ctx *ctx,
		   rf_error *err)
{
	return put_part(b, seq, var, ctx->getenv(var, ctx->data), err);
}

/* %{NAME}: the name is a shell-style variable name. */
static int put_braced(buf *b, const char **p, const rf_report_ctx *ctx, rf_error *err)
{
	const char *start = *p + 2, *end = strchr(start, '}');
	char name[128], seq[sizeof(name) + 3];
	size_t n;

	n = end ? (size_t)(end - start) : 0;
	if (!end || !n || n >= sizeof(name) || strspn(start, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "abcdefghijklmnopqrstuvwxyz0123456789_") != n ||
	    (start[0] >= '0' && start[0] <= '9')) {
		char shown[72];

		n = end ? (size_t)(end - *p + 1) : strlen(*p);
		snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), *p);
		return rf_error_set(err, 0,
				    "--report: `%s` is not %%{NAME} with an environment variable name",
				    rf_parse_shown(name, shown, sizeof(shown)));
	}
	memcpy(name, start, n);
	name[n] = '\0';
	snprintf(seq, sizeof(seq), "%%{%s}", name);
	*p = end + 1;
	return put_var(b, seq, name, ctx, err);
}

static int put_seq(buf *b, const char **p, const rf_report_ctx *ctx, rf_error *err)
{
	char pid[24];
	char c = (*p)[1];

	if (c == '{')
		return put_braced(b, p, ctx, err);
	*p += 2;
	switch (c) {
	case '%': return put(b, "%", 1, err);
	case 'j': return put_var(b, "%j", "SLURM_JOB_ID", ctx, err);
	case 's': return put_var(b, "%s", "SLURM_STEP_ID", ctx, err);
	case 't': return put_var(b, "%t", "SLURM_PROCID", ctx, err);
	case 'n': return put_part(b, "%n", "a host name", ctx->hostname, err);
	case 'p':
		snprintf(pid, sizeof(pid), "%ld", (long)ctx->pid);
		return put(b, pid, strlen(pid), err);
	}
	if (!c)
		return rf_error_set(err, 0, "--report: the pattern ends in a lone `%%` (write `%%%%`)");
	return rf_error_set(err, 0, "--report: `%%%c` is not a pattern sequence (expected %s)",
			    c >= 0x20 && c < 0x7f && c != '`' ? c : '?', RF_REPORT_FORMS);
}

int rf_report_expand(const char *pattern, const rf_report_ctx *ctx, char **out, rf_error *err)
{
	buf b = { 0 };
	const char *p = pattern;

	*out = NULL;
	while (*p) {
		size_t plain = strcspn(p, "%");

		if (put(&b, p, plain, err) < 0)
			goto fail;
		p += plain;
		if (*p == '%' && put_seq(&b, &p, ctx, err) < 0)
			goto fail;
	}
	if (put(&b, "", 0, err) < 0)
		goto fail;
	*out = b.s;
	return 0;
fail:
	free(b.s);
	return -1;
}
