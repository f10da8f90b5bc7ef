/* Strict parsers for untrusted text (see parse.h).
 *
 * Decimal fractions are handled in integer arithmetic: "1.5G" is 1 GiB plus
 * floor(0.5 * 1 GiB), computed digit by digit, so no value is ever rounded
 * through a double and every overflow is caught. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ringfence/parse.h"

/* Kernel minimum for the cpu.max quota (cpu.max rejects smaller quotas). */
#define RF_CPU_QUOTA_MIN_US 1000
#define RF_CPUS_MAX_DECIMALS 6

const char *rf_parse_shown(const char *s, char *buf, size_t len)
{
	size_t o = 0, i;

	for (i = 0; s[i] && o + 4 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[o++] = (c >= 0x20 && c < 0x7f && c != '`') ? (char)c : '?';
	}
	if (s[i])
		o += (size_t)snprintf(buf + o, len - o, "...");
	buf[o] = '\0';
	return buf;
}

#define SHOWN(s) RF_SHOWN(s)

/* A non-negative decimal "DIGITS[.DIGITS]" at the start of a string. */
struct decimal {
	uint64_t ip;          /* integer part */
	const char *frac;     /* fraction digits (not NUL-terminated) */
	size_t nfrac;
	bool overflow;        /* the integer part does not fit 64 bits */
	const char *end;      /* first byte after the number */
};

/* 0, or -1 when s does not start with a number ("", ".5", "5.", "-1"). An
 * integer part too large is reported later, by decimal_scale(), so that
 * "99999999999999999999Q" is called malformed rather than too large. */
static int parse_decimal(const char *s, struct decimal *d)
{
	const char *p = s;

	*d = (struct decimal){ 0 };
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (__builtin_mul_overflow(d->ip, 10, &d->ip) ||
		    __builtin_add_overflow(d->ip, (uint64_t)(*p - '0'), &d->ip))
			d->overflow = true;
	}
	if (*p == '.') {
		p++;
		d->frac = p;
		while (isdigit((unsigned char)*p))
			p++;
		d->nfrac = (size_t)(p - d->frac);
		if (d->nfrac == 0)       /* "5." */
			return -1;
	}
	d->end = p;
	return 0;
}

/* floor(d * mult), or -1 on overflow. mult must be < 2^59 so that
 * 10 * mult cannot overflow in the fraction's carry chain. */
static int decimal_scale(const struct decimal *d, uint64_t mult, uint64_t *out)
{
	uint64_t carry = 0, v;

	if (d->overflow)
		return -1;

	/* floor(0.f1f2..fn * mult): multiply the digit string by mult from the
	 * right; what carries out of the first digit is the integer part. */
	for (size_t i = d->nfrac; i-- > 0;)
		carry = ((uint64_t)(d->frac[i] - '0') * mult + carry) / 10;
	if (__builtin_mul_overflow(d->ip, mult, &v) ||
	    __builtin_add_overflow(v, carry, &v))
		return -1;
	*out = v;
	return 0;
}

/* "", "B", "K", "KB", "Ki", "KiB" (any case) -> 1024^n; 0 if not a suffix. */
static uint64_t size_suffix(const char *p)
{
	static const char units[] = "KMGT";
	const char *u;
	uint64_t mult = 1;

	if (*p == '\0')
		return 1;
	if ((*p == 'b' || *p == 'B') && p[1] == '\0')
		return 1;
	u = strchr(units, toupper((unsigned char)*p));
	if (!u)
		return 0;
	for (const char *q = units; q <= u; q++)
		mult *= 1024;
	p++;
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	return *p == '\0' ? mult : 0;
}

int rf_parse_size(const char *s, uint64_t *out, rf_error *err)
{
	struct decimal d;
	uint64_t mult, v;

	if (strcasecmp(s, "max") == 0) {
		*out = RF_MAX;
		return 0;
	}
	if (parse_decimal(s, &d) < 0)
		goto bad;
	mult = size_suffix(d.end);
	/* A fraction of a byte is a typo, not a size. */
	if (mult == 0 || (mult == 1 && d.nfrac))
		goto bad;
	/* RF_MAX itself means "max"; only the word says that. */
	if (decimal_scale(&d, mult, &v) < 0 || v == RF_MAX)
		goto too_large;
	*out = v;
	return 0;
bad:
	return rf_error_set(err, 0, "`%s` is not a size (expected %s)", SHOWN(s), RF_SIZE_FORM);
too_large:
	return rf_error_set(err, 0, "`%s` is too large (at most %" PRIu64 " bytes, or max)",
			    SHOWN(s), RF_MAX - 1);
}

int rf_parse_duration_ms(const char *s, uint64_t *out_ms, rf_error *err)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60 * 1000 }, { "h", 3600 * 1000 },
	};
	struct decimal d;

	if (parse_decimal(s, &d) < 0)
		goto bad;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(d.end, units[i].unit) != 0)
			continue;
		if (decimal_scale(&d, units[i].ms, out_ms) < 0)
			goto too_large;
		/* Below the resolution: 0 would read as "none" where 0 means that. */
		if (*out_ms == 0 && strspn(s, "0.") != (size_t)(d.end - s))
			return rf_error_set(err, 0, "`%s` is shorter than 1 ms (expected 0, or %s)",
					    SHOWN(s), RF_DURATION_FORM);
		return 0;
	}
bad:
	return rf_error_set(err, 0, "`%s` is not a duration (expected %s)", SHOWN(s),
			    RF_DURATION_FORM);
too_large:
	return rf_error_set(err, 0, "`%s` is too long a duration (at most %" PRIu64 " ms)",
			    SHOWN(s), UINT64_MAX);
}

int rf_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, rf_error *err)
{
	unsigned long long v;
	char *end;

	/* strtoull would accept spaces, '+' and wrap "-1". */
	if (!isdigit((unsigned char)s[0]))
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		goto bad;
	if (errno == ERANGE || v < min || v > max)
		return rf_error_set(err, 0, "`%s` is out of range (expected %" PRIu64 " to %" PRIu64 ")",
				    SHOWN(s), min, max);
	*out = v;
	return 0;
bad:
	return rf_error_set(err, 0, "`%s` is not a number (expected an integer from %" PRIu64
			    " to %" PRIu64 ")", SHOWN(s), min, max);
}

int rf_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out, rf_error *err)
{
	long long v;
	char *end;

	if (!isdigit((unsigned char)s[s[0] == '-']))
		goto bad;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end)
		goto bad;
	if (errno == ERANGE || v < min || v > max)
		return rf_error_set(err, 0, "`%s` is out of range (expected %" PRId64 " to %" PRId64 ")",
				    SHOWN(s), min, max);
	*out = v;
	return 0;
bad:
	return rf_error_set(err, 0, "`%s` is not a number (expected an integer from %" PRId64
			    " to %" PRId64 ")", SHOWN(s), min, max);
}

/* 10000 millionths -> "0.01", 2000000 -> "2". */
static const char *micro_text(uint64_t micro, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%" PRIu64 ".%06" PRIu64, micro / 1000000,
				    micro % 1000000);

	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

int rf_parse_cpus(const char *s, uint64_t period_us, uint64_t *quota_us, rf_error *err)
{
	struct decimal d;
	uint64_t q, min_micro;

	/* Bounds for decimal_scale(); cpu.max periods are at most 1 s anyway. */
	if (period_us == 0 || period_us >= (UINT64_C(1) << 59))
		return rf_error_set(err, EINVAL, "cpu period of %" PRIu64 "us", period_us);
	if (parse_decimal(s, &d) < 0 || *d.end || d.nfrac > RF_CPUS_MAX_DECIMALS)
		goto bad;
	if (decimal_scale(&d, period_us, &q) < 0 || q == RF_MAX)
		goto too_many;
	if (q < RF_CPU_QUOTA_MIN_US) {
		/* The smallest share the kernel takes, in millionths of a cpu. */
		min_micro = (UINT64_C(1000000) * RF_CPU_QUOTA_MIN_US + period_us - 1) / period_us;
		return rf_error_set(err, 0, "`%s` is too small: the kernel needs at least %s cpus "
				    "(a %dus quota per %" PRIu64 "us period)", SHOWN(s),
				    micro_text(min_micro, (char[32]){ 0 }, 32),
				    RF_CPU_QUOTA_MIN_US, period_us);
	}
	*quota_us = q;
	return 0;
too_many:
	return rf_error_set(err, 0, "`%s` is too many cpus for cpu.max", SHOWN(s));
bad:
	return rf_error_set(err, 0, "`%s` is not a cpu count (expected a positive number with at "
			    "most %d decimals, e.g. 0.5 or 2)", SHOWN(s), RF_CPUS_MAX_DECIMALS);
}

/* One id at *p; advances *p. -1 if no digits or id >= RF_MAX_IDS. */
static int parse_id(const char **p, unsigned *id, bool *too_large)
{
	unsigned v = 0;

	if (!isdigit((unsigned char)**p))
		return -1;
	for (; isdigit((unsigned char)**p); (*p)++) {
		v = v * 10 + (unsigned)(**p - '0');
		if (v >= RF_MAX_IDS) {
			*too_large = true;
			return -1;
		}
	}
	*id = v;
	return 0;
}

int rf_parse_idlist(const char *s, rf_idset *out, rf_error *err)
{
	rf_idset set = { 0 };
	bool too_large = false;
	const char *p = s;

	for (;;) {
		unsigned lo, hi;

		if (parse_id(&p, &lo, &too_large) < 0)
			goto bad;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_id(&p, &hi, &too_large) < 0)
				goto bad;
			if (hi < lo)
				return rf_error_set(err, 0, "`%s` has a reversed range %u-%u",
						    SHOWN(s), lo, hi);
		}
		for (unsigned id = lo; id <= hi; id++)
			rf_idset_add(&set, id);
		if (*p == '\0')
			break;
		if (*p++ != ',')
			goto bad;
	}
	*out = set;
	return 0;
bad:
	if (too_large)
		return rf_error_set(err, 0, "`%s` has an id above %d", SHOWN(s), RF_MAX_IDS - 1);
	return rf_error_set(err, 0, "`%s` is not an id list (expected ids and ranges like 0, "
			    "0-3 or 0,2,4-5)", SHOWN(s));
}

int rf_parse_mode(const char *s, unsigned *out, rf_error *err)
{
	unsigned v = 0;
	size_t n;

	for (n = 0; s[n]; n++) {
		if (s[n] < '0' || s[n] > '7' || n == 5)
			goto bad;
		v = v * 8 + (unsigned)(s[n] - '0');
	}
	if (n == 0 || v == 0 || v > 07777)
		goto bad;
	*out = v;
	return 0;
bad:
	return rf_error_set(err, 0, "`%.16s` is not a file mode (expected octal 1 to 7777, "
			    "like 1777 or 0700)", s);
}

const char *rf_size_text(uint64_t v, const char *max_word, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;

	if (v == RF_MAX) {
		snprintf(buf, len, "%s", max_word);
		return buf;
	}
	while (v && v % 1024 == 0 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64, v);
	else
		snprintf(buf, len, "%" PRIu64 "%c", v, units[u]);
	return buf;
}

int rf_parse_kb(const char *text, uint64_t *bytes, rf_error *err)
{
	char num[32];
	size_t n;
	uint64_t kb;

	text += strspn(text, " ");
	n = strcspn(text, " \n");
	if (n == 0 || n >= sizeof(num) || strncmp(text + n, " kB", 3) ||
	    (text[n + 3] != '\n' && text[n + 3] != '\0'))
		return rf_error_set(err, 0, "expected `NUMBER kB`");
	memcpy(num, text, n);
	num[n] = '\0';
	if (rf_parse_u64(num, 0, UINT64_MAX / 1024, &kb, err) < 0)
		return -1;
	*bytes = kb * 1024;
	return 0;
}

/* \ooo back to the byte, in place. */
static void mountinfo_unescape(char *s)
{
	char *out = s;

	for (char *in = s; *in; in++) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' &&
		    in[3] >= '0' && in[3] <= '7') {
			*out++ = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
			in += 3;
		} else {
			*out++ = *in;
		}
	}
	*out = '\0';
}

int rf_parse_mountinfo(char *line, rf_mountinfo *m)
{
	char *sep = strstr(line, " - "), *rest, *opts, *save = NULL, *tok;

	if (!sep)
		return -1;
	*sep = '\0';
	tok = strtok_r(line, " ", &save);
	for (int i = 1; tok && i < 5; i++) {
		tok = strtok_r(NULL, " ", &save);
		if (i == 3)
			m->root = tok;
	}
	if (!tok)
		return -1;
	m->mount_point = tok;
	/* The source may be empty, so the super options are the last field. */
	rest = sep + 3;
	rest[strcspn(rest, "\n")] = '\0';
	opts = strrchr(rest, ' ');
	if (!opts)
		return -1;
	*opts = '\0';
	m->super_opts = opts + 1;
	rest[strcspn(rest, " ")] = '\0';
	if (!*rest)
		return -1;
	m->fstype = rest;
	mountinfo_unescape(m->mount_point);
	mountinfo_unescape(m->root);
	return 0;
}
