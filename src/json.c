/* JSON reading and writing; the only file that knows yajl (see json.h).
 *
 * Writing goes through yajl_gen (escaping, UTF-8 validation) in compact form;
 * pretty output re-indents that compact text, so empty containers stay `{}`.
 * Reading uses yajl's callback parser to build a small tree of our own: it
 * keeps numbers as their source text (integers are parsed strictly on access),
 * bounds nesting, and rejects duplicate keys and NUL bytes inside strings,
 * which a C consumer could not see. The tree (json-internal.h), its accessors,
 * the file reader and the re-indenter need no yajl: they are in json-tree.c. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_version.h>
#include <yajl/yajl_parse.h>

#include "ringfence/fds.h"
#include "ringfence/cleanup.h"
#include "json-internal.h"

/* ================================================================ writing */

enum wstate { W_ARRAY, W_OBJECT_KEY, W_OBJECT_VALUE };

struct rf_json_writer {
	yajl_gen gen;
	bool pretty;
	bool failed;        /* misuse or a yajl error; reported by finish */
	bool done;          /* a complete top-level value was written */
	const char *why;    /* first failure, for the message */
	unsigned depth;
	unsigned char state[RF_JSON_MAX_DEPTH];
};

rf_json_writer *rf_json_writer_new(bool pretty)
{
	rf_json_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->gen = yajl_gen_alloc(NULL);
	if (!w->gen) {
		free(w);
		return NULL;
	}
	/* Refuse to emit invalid UTF-8 rather than write a broken document. */
	yajl_gen_config(w->gen, yajl_gen_validate_utf8, 1);
	w->pretty = pretty;
	return w;
}

void rf_json_writer_free(rf_json_writer *w)
{
	if (!w)
		return;
	yajl_gen_free(w->gen);
	free(w);
}

static void w_fail(rf_json_writer *w, const char *why)
{
	if (!w->failed)
		w->why = why;
	w->failed = true;
}

static void w_check(rf_json_writer *w, yajl_gen_status st)
{
	switch (st) {
	case yajl_gen_status_ok:
		return;
	case yajl_gen_invalid_string:
		w_fail(w, "string is not valid utf-8");
		return;
	case yajl_gen_invalid_number:
		w_fail(w, "number is not finite");
		return;
	default:
		w_fail(w, "calls are unbalanced");
		return;
	}
}

/* May a value (not a key) be written now? Advances the object state. */
static bool w_value_ok(rf_json_writer *w)
{
	if (w->failed)
		return false;
	if (w->depth == 0) {
		if (w->done) {
			w_fail(w, "second top-level value");
			return false;
		}
		return true;
	}
	switch (w->state[w->depth - 1]) {
	case W_OBJECT_KEY:
		w_fail(w, "value without a key inside an object");
		return false;
	case W_OBJECT_VALUE:
		w->state[w->depth - 1] = W_OBJECT_KEY;
		return true;
	default:
		return true;
	}
}

static void w_value_done(rf_json_writer *w)
{
	if (w->depth == 0)
		w->done = true;
}

static void w_open(rf_json_writer *w, enum wstate st)
{
	if (!w_value_ok(w))
		return;
	if (w->depth == RF_JSON_MAX_DEPTH) {
		w_fail(w, "nesting too deep");
		return;
	}
	w_check(w, st == W_ARRAY ? yajl_gen_array_open(w->gen) : yajl_gen_map_open(w->gen));
	w->state[w->depth++] = (unsigned char)st;
}

static void w_close(rf_json_writer *w, bool object)
{
	if (w->failed)
		return;
	if (w->depth == 0 ||
	    (object && w->state[w->depth - 1] != W_OBJECT_KEY) ||
	    (!object && w->state[w->depth - 1] != W_ARRAY)) {
		w_fail(w, "calls are unbalanced");
		return;
	}
	w_check(w, object ? yajl_gen_map_close(w->gen) : yajl_gen_array_close(w->gen));
	w->depth--;
	w_value_done(w);
}

void rf_json_begin_object(rf_json_writer *w)
{
	w_open(w, W_OBJECT_KEY);
}

void rf_json_end_object(rf_json_writer *w)
{
	w_close(w, true);
}

void rf_json_begin_array(rf_json_writer *w)
{
	w_open(w, W_ARRAY);
}

void rf_json_end_array(rf_json_writer *w)
{
	w_close(w, false);
}

void rf_json_key(rf_json_writer *w, const char *key)
{
	if (w->failed)
		return;
	if (w->depth == 0 || w->state[w->depth - 1] != W_OBJECT_KEY || !key) {
		w_fail(w, "key outside an object or without a value");
		return;
	}
	w_check(w, yajl_gen_string(w->gen, (const unsigned char *)key, strlen(key)));
	w->state[w->depth - 1] = W_OBJECT_VALUE;
}

void rf_json_string(rf_json_writer *w, const char *s)
{
	if (!s) {
		rf_json_null(w);
		return;
	}
	if (!w_value_ok(w))
		return;
	w_check(w, yajl_gen_string(w->gen, (const unsigned char *)s, strlen(s)));
	w_value_done(w);
}

void rf_json_int(rf_json_writer *w, int64_t v)
{
	if (!w_value_ok(w))
		return;
	w_check(w, yajl_gen_integer(w->gen, (long long)v));
	w_value_done(w);
}

static void w_number_text(rf_json_writer *w, const char *text)
{
	w_check(w, yajl_gen_number(w->gen, text, strlen(text)));
	w_value_done(w);
}

void rf_json_uint(rf_json_writer *w, uint64_t v)
{
	char buf[24];

	if (!w_value_ok(w))
		return;
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	w_number_text(w, buf);
}

/* The shortest text that reads back as the same double; JSON has no NaN or
 * infinity, so those are written as null. */
void rf_json_double(rf_json_writer *w, double v)
{
	const char *e;
	char buf[40];

	if (!isfinite(v)) {
		rf_json_null(w);
		return;
	}
	if (!w_value_ok(w))
		return;
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	/* "1e+02" round-trips but reads badly: spell out whole numbers below 1e17. */
	e = strchr(buf, 'e');
	if (e && e[1] == '+') {
		long exp10 = strtol(e + 1, NULL, 10);

		if (exp10 < 17)
			snprintf(buf, sizeof(buf), "%.*g", (int)exp10 + 1, v);
	}
	w_number_text(w, buf);
}

void rf_json_bool(rf_json_writer *w, bool v)
{
	if (!w_value_ok(w))
		return;
	w_check(w, yajl_gen_bool(w->gen, v));
	w_value_done(w);
}

void rf_json_null(rf_json_writer *w)
{
	if (!w_value_ok(w))
		return;
	w_check(w, yajl_gen_null(w->gen));
	w_value_done(w);
}

int rf_json_writer_finish(rf_json_writer *w, char **out, size_t *len, rf_error *err)
{
	const unsigned char *buf;
	size_t n, out_n;
	char *doc;

	if (!w->failed && (w->depth != 0 || !w->done))
		w_fail(w, "calls are unbalanced");
	if (w->failed)
		return rf_error_set(err, 0, "write json: %s", w->why);
	yajl_gen_get_buf(w->gen, &buf, &n);
	out_n = w->pretty ? rf_json_reindent((const char *)buf, n, NULL) : n;
	doc = malloc(out_n + 1);
	if (!doc)
		return rf_error_set(err, ENOMEM, "write json");
	if (w->pretty)
		rf_json_reindent((const char *)buf, n, doc);
	else
		memcpy(doc, buf, n);
	doc[out_n] = '\0';
	n = out_n;
	*out = doc;
	if (len)
		*len = n;
	return 0;
}

/* ================================================================ reading */

/* Copy n bytes of src as one line of printable ASCII for a message:
 * control bytes (NUL too), backticks and non-ASCII become spaces. */
static void printable(char *dst, size_t size, const char *src, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < size; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[o++] = (c >= 0x20 && c < 0x7f && c != '`') ? (char)c : ' ';
	}
	dst[o] = '\0';
}

/* Parser state shared by the yajl callbacks. */
struct builder {
	rf_json *root;
	rf_json *stack[RF_JSON_MAX_DEPTH];
	unsigned depth;
	char *key;              /* pending object key */
	char why[256];          /* our own reason when a callback refuses */
};

static char *dup_text(struct builder *b, const unsigned char *s, size_t len, const char *what)
{
	char *d;

	if (memchr(s, '\0', len)) {
		snprintf(b->why, sizeof(b->why), "%s contains a NUL character", what);
		return NULL;
	}
	d = strndup((const char *)s, len);
	if (!d)
		snprintf(b->why, sizeof(b->why), "out of memory");
	return d;
}

static bool grow(void **p, size_t *cap, size_t len, size_t size)
{
	size_t ncap;
	void *np;

	if (len < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 4;
	np = reallocarray(*p, ncap, size);
	if (!np)
		return false;
	*p = np;
	*cap = ncap;
	return true;
}

/* Hang a new node under the open container (or make it the root). Takes n. */
static int attach(struct builder *b, rf_json *n)
{
	rf_json *parent;

	if (b->depth == 0) {
		b->root = n;
		return 1;
	}
	parent = b->stack[b->depth - 1];
	if (parent->type == RF_JSON_ARRAY) {
		if (!grow((void **)&parent->arr.v, &parent->arr.cap, parent->arr.len,
			  sizeof(*parent->arr.v)))
			goto oom;
		parent->arr.v[parent->arr.len++] = n;
		return 1;
	}
	if (!grow((void **)&parent->obj.m, &parent->obj.cap, parent->obj.len,
		  sizeof(*parent->obj.m)))
		goto oom;
	parent->obj.m[parent->obj.len].key = steal_pointer(&b->key);
	parent->obj.m[parent->obj.len].value = n;
	parent->obj.len++;
	return 1;
oom:
	snprintf(b->why, sizeof(b->why), "out of memory");
	rf_json_free(n);
	return 0;
}

static rf_json *new_node(struct builder *b, rf_json_type t)
{
	rf_json *n = calloc(1, sizeof(*n));

	if (!n)
		snprintf(b->why, sizeof(b->why), "out of memory");
	else
		n->type = t;
	return n;
}

static int cb_null(void *ctx)
{
	struct builder *b = ctx;
	rf_json *n = new_node(b, RF_JSON_NULL);

	return n ? attach(b, n) : 0;
}

static int cb_bool(void *ctx, int v)
{
	struct builder *b = ctx;
	rf_json *n = new_node(b, RF_JSON_BOOL);

	if (!n)
		return 0;
	n->b = v;
	return attach(b, n);
}

static int cb_text(struct builder *b, rf_json_type t, const unsigned char *s, size_t len)
{
	rf_json *n = new_node(b, t);

	if (!n)
		return 0;
	n->text = dup_text(b, s, len, "string");
	if (!n->text) {
		free(n);
		return 0;
	}
	return attach(b, n);
}

static int cb_number(void *ctx, const char *s, size_t len)
{
	return cb_text(ctx, RF_JSON_NUMBER, (const unsigned char *)s, len);
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	return cb_text(ctx, RF_JSON_STRING, s, len);
}

static int cb_key(void *ctx, const unsigned char *s, size_t len)
{
	struct builder *b = ctx;

	b->key = dup_text(b, s, len, "key");
	return b->key != NULL;
}

static int cb_open(struct builder *b, rf_json_type t)
{
	rf_json *n;

	if (b->depth == RF_JSON_MAX_DEPTH) {
		snprintf(b->why, sizeof(b->why), "nested deeper than %d levels",
			 RF_JSON_MAX_DEPTH);
		return 0;
	}
	n = new_node(b, t);
	if (!n || !attach(b, n))
		return 0;
	b->stack[b->depth++] = n;
	return 1;
}

static int cb_start_map(void *ctx)
{
	return cb_open(ctx, RF_JSON_OBJECT);
}

static int cb_start_array(void *ctx)
{
	return cb_open(ctx, RF_JSON_ARRAY);
}

static int cmp_keyp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Two members with one name are ambiguous (which one wins?): refuse them. */
static int check_duplicates(struct builder *b, const rf_json *obj)
{
	cleanup_free const char **keys = NULL;
	size_t n = obj->obj.len;

	if (n < 2)
		return 1;
	keys = calloc(n, sizeof(*keys));
	if (!keys) {
		snprintf(b->why, sizeof(b->why), "out of memory");
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		keys[i] = obj->obj.m[i].key;
	qsort(keys, n, sizeof(*keys), cmp_keyp);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(keys[i - 1], keys[i]) == 0) {
			char shown[65];

			printable(shown, sizeof(shown), keys[i], strlen(keys[i]));
			snprintf(b->why, sizeof(b->why), "duplicate key `%s`", shown);
			return 0;
		}
	}
	return 1;
}

static int cb_end_map(void *ctx)
{
	struct builder *b = ctx;

	return check_duplicates(b, b->stack[--b->depth]);
}

static int cb_end_array(void *ctx)
{
	struct builder *b = ctx;

	b->depth--;
	return 1;
}

static const yajl_callbacks callbacks = {
	.yajl_null = cb_null,
	.yajl_boolean = cb_bool,
	.yajl_number = cb_number,
	.yajl_string = cb_string,
	.yajl_start_map = cb_start_map,
	.yajl_map_key = cb_key,
	.yajl_end_map = cb_end_map,
	.yajl_start_array = cb_start_array,
	.yajl_end_array = cb_end_array,
};

/* "line L, column C: REASON near `SNIPPET`" for the byte at `off`
 * (off == len: the input ended too early). */
static int parse_error(const char *text, size_t len, size_t off, const char *reason,
		       rf_error *err)
{
	size_t line = 1, col = 1, start;
	char snip[48];

	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	if (off >= len)
		return rf_error_set(err, 0, "line %zu, column %zu: %s", line, col, reason);
	/* Twenty bytes either side of the offending one. */
	start = off > 20 ? off - 20 : 0;
	printable(snip, sizeof(snip), text + start, (len - off > 20 ? off + 20 : len) - start);
	return rf_error_set(err, 0, "line %zu, column %zu: %s near `%s`", line, col, reason, snip);
}

/* yajl's own short message, without its "parse error: " prefix and newline. */
static void yajl_reason(yajl_handle h, const char *text, size_t len, char *buf, size_t size)
{
	unsigned char *e = yajl_get_error(h, 0, (const unsigned char *)text, len);
	const char *s = e ? (const char *)e : "invalid json";
	const char *colon = strstr(s, "error: ");

	if (colon)
		s = colon + strlen("error: ");
	snprintf(buf, size, "%s", s);
	buf[strcspn(buf, "\n")] = '\0';
	/* "invalid char in json text." -> "invalid char in json text" */
	if (buf[0] && buf[strlen(buf) - 1] == '.')
		buf[strlen(buf) - 1] = '\0';
	if (e)
		yajl_free_error(h, e);
}

rf_json *rf_json_parse(const char *text, size_t len, rf_error *err)
{
	struct builder b = { 0 };
	yajl_handle h;
	yajl_status st;
	size_t off;
	char reason[256];

	h = yajl_alloc(&callbacks, NULL, &b);
	if (!h) {
		rf_error_set(err, ENOMEM, "parse json");
		return NULL;
	}
	/* Strict JSON: no comments, one value, no trailing garbage, valid UTF-8
	 * (all yajl defaults, set here so they stay that way). */
	yajl_config(h, yajl_allow_comments, 0);
	yajl_config(h, yajl_dont_validate_strings, 0);
	st = yajl_parse(h, (const unsigned char *)text, len);
	/* yajl counts up to and including the offending byte. */
	off = yajl_get_bytes_consumed(h);
	off = off > 0 ? off - 1 : 0;
	if (st == yajl_status_ok) {
		st = yajl_complete_parse(h);
		off = len;
	}
	if (st != yajl_status_ok) {
		if (off == len)
			snprintf(reason, sizeof(reason), "unexpected end of input");
		else if (st == yajl_status_client_canceled)
			snprintf(reason, sizeof(reason), "%s", b.why);
		else
			yajl_reason(h, text, len, reason, sizeof(reason));
		parse_error(text, len, off, reason, err);
		free(b.key);
		rf_json_free(b.root);
		yajl_free(h);
		return NULL;
	}
	yajl_free(h);
	free(b.key);
	return b.root;
}

rf_json *rf_json_parse_fd(int fd, const char *name, rf_error *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	rf_json *root;

	if (rf_read_all(fd, name, RF_JSON_MAX_FILE, &text, &len, err) < 0)
		return NULL;
	root = rf_json_parse(text, len, err);
	if (!root)
		rf_error_prefix(err, "parse `%s`", name);
	return root;
}

rf_json *rf_json_parse_file(const char *path, rf_error *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		rf_error_set(err, errno, "open `%s`", path);
		return NULL;
	}
	return rf_json_parse_fd(fd, path, err);
}

const char *rf_json_library_version(char *buf, size_t len)
{
	int v = yajl_version();

	snprintf(buf, len, "yajl %d.%d.%d", v / 10000, v / 100 % 100, v % 100);
	return buf;
}
