/* Strict parsers for untrusted text: sizes, durations, integers, CPU shares,
 * id lists. Each rejects empty input, signs where none belong, trailing junk
 * and overflow, and says what form it accepts. The message does not name the
 * flag; the caller prefixes that. */
#ifndef RINGFENCE_PARSE_H
#define RINGFENCE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"
#include "ringfence/plan.h"

/* Accepted forms, for messages and --help. */
#define RF_SIZE_FORM "bytes, or a number with K, M, G or T (powers of 1024, optional i/B), or max"
#define RF_DURATION_FORM "a number with ms, s, m or h, or bare seconds (e.g. 500ms, 30s, 1.5m)"

/* SIZE: "4096", "512M", "1.5G", "64KiB", "2gb", "max" (-> RF_MAX). */
/* The user's value as it is safe to echo in a message: printable, bounded
 * (an ellipsis after about 64 bytes), backtick-free. Returns buf. */
const char *rf_parse_shown(const char *s, char *buf, size_t len);
#define RF_SHOWN(s) rf_parse_shown((s), (char[72]){ 0 }, 72)

int rf_parse_size(const char *s, uint64_t *out, rf_error *err);

/* DURATION -> milliseconds: "500ms", "30s", "5m", "1h", "2.5" (seconds). */
int rf_parse_duration_ms(const char *s, uint64_t *out_ms, rf_error *err);

/* Decimal integers within [min, max]. */
int rf_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, rf_error *err);
int rf_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out, rf_error *err);

/* CPUS ("0.5", "2", "0.25") -> cpu.max quota in microseconds per period_us. */
int rf_parse_cpus(const char *s, uint64_t period_us, uint64_t *quota_us, rf_error *err);

/* ID list "0", "0-3", "0,2,4-5" -> set; each id < RF_MAX_IDS. */
int rf_parse_idlist(const char *s, rf_idset *out, rf_error *err);

/* File mode: octal 1..7777, a leading 0 allowed ("1777", "0700"). */
int rf_parse_mode(const char *s, unsigned *out, rf_error *err);

/* One line of /proc/self/mountinfo, split in place:
 *   ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS
 * The root and the mount point are unescaped (mountinfo writes space, tab, newline and
 * backslash as \ooo). */
typedef struct rf_mountinfo {
	char *root;              /* within its filesystem ("/", or "/.." for a cgroup2
				  * mount made outside the reader's cgroup namespace) */
	char *mount_point;
	char *fstype;
	char *super_opts;        /* e.g. "rw,nsdelegate,memory_recursiveprot" */
} rf_mountinfo;

/* 0, or -1 when `line` is not a mountinfo line. */
int rf_parse_mountinfo(char *line, rf_mountinfo *m);

/* A /proc/meminfo-style value, "   16318928 kB" (up to the end of the line),
 * in bytes. */
int rf_parse_kb(const char *text, uint64_t *bytes, rf_error *err);

/* The exact SIZE text rf_parse_size reads back to v: the largest unit that
 * divides it ("64M", "1536K", "4097"), or `max_word` for RF_MAX. */
const char *rf_size_text(uint64_t v, const char *max_word, char *buf, size_t len);

#endif
