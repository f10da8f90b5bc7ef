/* D-Bus messages: building method calls and parsing what comes back
 * (include/ringfence/dbus.h). The wire format, from the D-Bus
 * specification: a 12-byte fixed header (byte order 'l' or 'B', type,
 * flags, version 1, body length, serial), the header fields as an array of
 * (byte code, variant), padding to 8, the body. Every value is aligned to
 * its size from the start of the message: 4 for u, b, s, o and an array's
 * length, 8 for t and for every struct or dict entry, 1 for y, g and v.
 *
 * We build only little-endian calls with the header fields PATH,
 * INTERFACE, MEMBER, DESTINATION and SIGNATURE. We parse any valid message
 * in either byte order: every offset is checked against the end, every
 * padding byte must be zero, every string NUL-terminated with no NUL
 * inside, every signature complete and within the nesting limits, and the
 * whole body is walked against its signature before anyone reads it. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/dbus.h"

enum {
	FIELD_PATH = 1,
	FIELD_INTERFACE = 2,
	FIELD_MEMBER = 3,
	FIELD_ERROR_NAME = 4,
	FIELD_REPLY_SERIAL = 5,
	FIELD_DESTINATION = 6,
	FIELD_SENDER = 7,
	FIELD_SIGNATURE = 8,
	FIELD_UNIX_FDS = 9,
};

#define FIXED_HEADER 16          /* 12 bytes and the fields array's length */
#define MAX_DEPTH 32             /* arrays, and structs, each (the spec's limit) */
#define MAX_TOTAL_DEPTH 64       /* all containers, variants included */
#define MAX_ARRAY (1u << 26)     /* 64 MiB */

/* ---- building ---------------------------------------------------------- */

static void reserve(rf_dbus_buf *b, size_t n)
{
	uint8_t *grown;
	size_t cap;

	if (b->failed)
		return;
	if (n > RF_DBUS_MAX_MESSAGE - b->len) {
		b->failed = true;
		return;
	}
	if (b->len + n <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	grown = realloc(b->data, cap);
	if (!grown) {
		b->failed = true;
		return;
	}
	b->data = grown;
	b->cap = cap;
}

static void put(rf_dbus_buf *b, const void *p, size_t n)
{
	reserve(b, n);
	if (b->failed)
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void pad(rf_dbus_buf *b, unsigned align)
{
	static const uint8_t zeros[8];

	put(b, zeros, (align - b->len % align) % align);
}

static void store_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void rf_dbus_put_byte(rf_dbus_buf *b, uint8_t v)
{
	put(b, &v, 1);
}

void rf_dbus_put_u32(rf_dbus_buf *b, uint32_t v)
{
	uint8_t le[4];

	pad(b, 4);
	store_u32(le, v);
	put(b, le, 4);
}

void rf_dbus_put_u64(rf_dbus_buf *b, uint64_t v)
{
	uint8_t le[8];

	pad(b, 8);
	store_u32(le, (uint32_t)v);
	store_u32(le + 4, (uint32_t)(v >> 32));
	put(b, le, 8);
}

void rf_dbus_put_bool(rf_dbus_buf *b, bool v)
{
	rf_dbus_put_u32(b, v ? 1 : 0);
}

void rf_dbus_put_string(rf_dbus_buf *b, char type, const char *s)
{
	size_t n = strlen(s);

	(void)type;   /* 's' and 'o' are marshalled alike */
	if (n > RF_DBUS_MAX_MESSAGE) {
		b->failed = true;
		return;
	}
	rf_dbus_put_u32(b, (uint32_t)n);
	put(b, s, n + 1);
}

void rf_dbus_put_signature(rf_dbus_buf *b, const char *sig)
{
	size_t n = strlen(sig);

	if (n > 255) {
		b->failed = true;
		return;
	}
	rf_dbus_put_byte(b, (uint8_t)n);
	put(b, sig, n + 1);
}

rf_dbus_array rf_dbus_open_array(rf_dbus_buf *b, unsigned align)
{
	rf_dbus_array a;

	pad(b, 4);
	a.len_at = b->len;
	rf_dbus_put_u32(b, 0);
	pad(b, align);
	a.start = b->len;
	return a;
}

void rf_dbus_close_array(rf_dbus_buf *b, rf_dbus_array a)
{
	if (b->failed)
		return;
	if (b->len - a.start > MAX_ARRAY) {
		b->failed = true;
		return;
	}
	store_u32(b->data + a.len_at, (uint32_t)(b->len - a.start));
}

void rf_dbus_open_struct(rf_dbus_buf *b)
{
	pad(b, 8);
}

static void put_field(rf_dbus_buf *b, uint8_t code, char type, const char *value)
{
	char sig[2] = { type, '\0' };

	if (!value || (type == 'g' && !*value))
		return;
	rf_dbus_open_struct(b);
	rf_dbus_put_byte(b, code);
	rf_dbus_put_signature(b, sig);
	if (type == 'g')
		rf_dbus_put_signature(b, value);
	else
		rf_dbus_put_string(b, type, value);
}

void rf_dbus_begin_call(rf_dbus_buf *b, uint32_t serial, const rf_dbus_method *call)
{
	static const uint8_t fixed[4] = { 'l', RF_DBUS_METHOD_CALL, 0, 1 };
	rf_dbus_array fields;

	memset(b, 0, sizeof(*b));
	put(b, fixed, sizeof(fixed));
	rf_dbus_put_u32(b, 0);   /* the body's length: rf_dbus_finish */
	rf_dbus_put_u32(b, serial);
	fields = rf_dbus_open_array(b, 8);
	put_field(b, FIELD_PATH, 'o', call->path);
	put_field(b, FIELD_INTERFACE, 's', call->interface);
	put_field(b, FIELD_MEMBER, 's', call->member);
	put_field(b, FIELD_DESTINATION, 's', call->destination);
	put_field(b, FIELD_SIGNATURE, 'g', call->signature);
	rf_dbus_close_array(b, fields);
	pad(b, 8);
	b->body = b->len;
}

int rf_dbus_finish(rf_dbus_buf *b, rf_error *err)
{
	if (b->failed)
		return rf_error_set(err, ENOMEM, "build a D-Bus message: out of memory or over %u bytes",
				    RF_DBUS_MAX_MESSAGE);
	store_u32(b->data + 4, (uint32_t)(b->len - b->body));
	return 0;
}

void rf_dbus_buf_free(rf_dbus_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* ---- signatures --------------------------------------------------------- */

static bool is_basic(char c)
{
	return c && strchr("ybnqiuxtdhsog", c);
}

/* The end of the complete type at s, or NULL. */
static const char *complete_type(const char *s, int arrays, int structs)
{
	switch (*s) {
	case 'a':
		if (arrays >= MAX_DEPTH)
			return NULL;
		if (s[1] == '{') {
			const char *value;

			if (structs >= MAX_DEPTH || !is_basic(s[2]))
				return NULL;
			value = complete_type(s + 3, arrays + 1, structs + 1);
			return value && *value == '}' ? value + 1 : NULL;
		}
		return complete_type(s + 1, arrays + 1, structs);
	case '(':
		if (structs >= MAX_DEPTH || s[1] == ')')
			return NULL;
		for (s++; *s != ')'; )
			if (!(s = complete_type(s, arrays, structs + 1)))
				return NULL;
		return s + 1;
	case 'v':
		return s + 1;
	default:
		return is_basic(*s) ? s + 1 : NULL;
	}
}

bool rf_dbus_signature_valid(const char *sig)
{
	const char *s = sig;

	if (strlen(sig) > 255)
		return false;
	while (*s)
		if (!(s = complete_type(s, 0, 0)))
			return false;
	return true;
}

static unsigned alignment(char type)
{
	switch (type) {
	case 'n': case 'q': return 2;
	case 'b': case 'i': case 'u': case 'h': case 's': case 'o': case 'a': return 4;
	case 'x': case 't': case 'd': case '(': case '{': return 8;
	default: return 1;
	}
}

/* ---- reading ------------------------------------------------------------ */

typedef struct cursor {
	const uint8_t *d;
	size_t pos, end;
	bool be;
	int depth;               /* containers and variants we are inside */
} cursor;

static int bad(rf_error *err, const char *what)
{
	return rf_error_set(err, EBADMSG, "invalid D-Bus message: %s", what);
}

static int align_to(cursor *c, unsigned a, rf_error *err)
{
	size_t to = (c->pos + a - 1) & ~(size_t)(a - 1);

	if (to > c->end)
		return bad(err, "value past the end");
	for (; c->pos < to; c->pos++)
		if (c->d[c->pos])
			return bad(err, "non-zero padding");
	return 0;
}

static int take(cursor *c, size_t n, const uint8_t **p, rf_error *err)
{
	if (n > c->end - c->pos)
		return bad(err, "value past the end");
	*p = c->d + c->pos;
	c->pos += n;
	return 0;
}

static uint32_t load_u32(const uint8_t *p, bool be)
{
	if (be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int get_fixed(cursor *c, unsigned size, uint32_t *v, rf_error *err)
{
	const uint8_t *p = NULL;

	if (align_to(c, size, err) < 0 || take(c, size, &p, err) < 0)
		return -1;
	if (v)
		*v = size == 4 ? load_u32(p, c->be) : size == 1 ? p[0] : 0;
	return 0;
}

/* A string (`s`, `o`: a 4-byte length) or a signature (`g`: a 1-byte one),
 * NUL-terminated with no NUL inside. */
static int get_text(cursor *c, unsigned len_size, const char **s, rf_error *err)
{
	const uint8_t *p = NULL;
	uint32_t n;

	if (get_fixed(c, len_size, &n, err) < 0 || take(c, (size_t)n + 1, &p, err) < 0)
		return -1;
	if (p[n] != '\0' || memchr(p, '\0', n))
		return bad(err, len_size == 1 ? "a signature is not NUL-terminated or holds a NUL"
					      : "a string is not NUL-terminated or holds a NUL");
	*s = (const char *)p;
	return 0;
}

static int get_string(cursor *c, const char **s, rf_error *err)
{
	return get_text(c, 4, s, err);
}

static int get_signature(cursor *c, const char **s, rf_error *err)
{
	if (get_text(c, 1, s, err) < 0)
		return -1;
	return rf_dbus_signature_valid(*s) ? 0 : bad(err, "invalid signature");
}

static int skip_value(cursor *c, const char **sig, rf_error *err);

static int skip_array(cursor *c, const char **sig, rf_error *err)
{
	/* *sig is past the `a`: the element type, maybe a dict entry `{..}`. */
	const char *elem = *sig, *after = complete_type(elem - 1, 0, 0);
	uint32_t n;
	size_t end;

	if (!after)
		return bad(err, "invalid array type");
	if (get_fixed(c, 4, &n, err) < 0)
		return -1;
	if (n > MAX_ARRAY)
		return bad(err, "array over 64 MiB");
	if (align_to(c, alignment(*elem), err) < 0)
		return -1;
	if (n > c->end - c->pos)
		return bad(err, "array past the end");
	end = c->pos + n;
	if (++c->depth > MAX_TOTAL_DEPTH)
		return bad(err, "values nested too deep");
	while (c->pos < end) {
		const char *s = elem;
		size_t saved_end = c->end;

		c->end = end;
		if (skip_value(c, &s, err) < 0)
			return -1;
		c->end = saved_end;
	}
	c->depth--;
	*sig = after;
	return 0;
}

static int skip_variant(cursor *c, rf_error *err)
{
	const char *inner;

	if (get_signature(c, &inner, err) < 0)
		return -1;
	if (!*inner || complete_type(inner, 0, 0) != inner + strlen(inner))
		return bad(err, "a variant must hold exactly one complete type");
	if (++c->depth > MAX_TOTAL_DEPTH)
		return bad(err, "values nested too deep");
	if (skip_value(c, &inner, err) < 0)
		return -1;
	c->depth--;
	return 0;
}

/* Skip one complete value of type **sig, advancing *sig past that type. */
static int skip_value(cursor *c, const char **sig, rf_error *err)
{
	const char *s;
	uint32_t v;

	switch (*(*sig)++) {
	case 'y': return get_fixed(c, 1, NULL, err);
	case 'n': case 'q': return get_fixed(c, 2, NULL, err);
	case 'i': case 'u': case 'h': return get_fixed(c, 4, NULL, err);
	case 'x': case 't': case 'd': return get_fixed(c, 8, NULL, err);
	case 'b':
		if (get_fixed(c, 4, &v, err) < 0)
			return -1;
		return v > 1 ? bad(err, "a boolean is neither 0 nor 1") : 0;
	case 's': case 'o': return get_string(c, &s, err);
	case 'g': return get_signature(c, &s, err);
	case 'v': return skip_variant(c, err);
	case 'a': return skip_array(c, sig, err);
	case '(':
	case '{':
		if (align_to(c, 8, err) < 0)
			return -1;
		if (++c->depth > MAX_TOTAL_DEPTH)
			return bad(err, "values nested too deep");
		while (**sig != ')' && **sig != '}')
			if (skip_value(c, sig, err) < 0)
				return -1;
		(*sig)++;
		c->depth--;
		return 0;
	default:
		return bad(err, "unknown type in a signature");
	}
}

ssize_t rf_dbus_message_size(const uint8_t *data, size_t len, rf_error *err)
{
	uint64_t fields, body, total;
	bool be;

	if (len < FIXED_HEADER)
		return 0;
	if (data[0] != 'l' && data[0] != 'B')
		return bad(err, "unknown byte order");
	if (data[3] != 1)
		return bad(err, "protocol version is not 1");
	be = data[0] == 'B';
	body = load_u32(data + 4, be);
	fields = load_u32(data + 12, be);
	total = (FIXED_HEADER + fields + 7) / 8 * 8 + body;
	if (total > RF_DBUS_MAX_MESSAGE)
		return rf_error_set(err, EMSGSIZE, "D-Bus message of %llu bytes, over the %u we accept",
				    (unsigned long long)total, RF_DBUS_MAX_MESSAGE);
	return (ssize_t)total;
}

/* One (code, variant) header field. */
static int parse_field(cursor *c, rf_dbus_msg *m, rf_error *err)
{
	static const struct {
		uint8_t code;
		char type;
	} known[] = {
		{ FIELD_PATH, 'o' }, { FIELD_INTERFACE, 's' }, { FIELD_MEMBER, 's' },
		{ FIELD_ERROR_NAME, 's' }, { FIELD_REPLY_SERIAL, 'u' }, { FIELD_DESTINATION, 's' },
		{ FIELD_SENDER, 's' }, { FIELD_SIGNATURE, 'g' }, { FIELD_UNIX_FDS, 'u' },
	};
	const char **slot[] = {
		[FIELD_PATH] = &m->path, [FIELD_INTERFACE] = &m->interface,
		[FIELD_MEMBER] = &m->member, [FIELD_ERROR_NAME] = &m->error_name,
		[FIELD_DESTINATION] = &m->destination, [FIELD_SENDER] = &m->sender,
		[FIELD_SIGNATURE] = &m->signature,
	};
	const char *sig;
	uint32_t code;

	if (align_to(c, 8, err) < 0 || get_fixed(c, 1, &code, err) < 0 ||
	    get_signature(c, &sig, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (known[i].code != code)
			continue;
		if (sig[0] != known[i].type || sig[1])
			return bad(err, "a header field has the wrong type");
		if (code == FIELD_REPLY_SERIAL || code == FIELD_UNIX_FDS) {
			uint32_t v;

			if (get_fixed(c, 4, &v, err) < 0)
				return -1;
			if (code == FIELD_REPLY_SERIAL)
				m->reply_serial = v;
			return 0;
		}
		return code == FIELD_SIGNATURE ? get_signature(c, slot[code], err)
					       : get_string(c, slot[code], err);
	}
	/* Unknown fields are skipped, as the specification asks. */
	if (!*sig || complete_type(sig, 0, 0) != sig + strlen(sig))
		return bad(err, "a header field must hold one complete type");
	return skip_value(c, &sig, err);
}

static int check_required(const rf_dbus_msg *m, rf_error *err)
{
	switch (m->type) {
	case RF_DBUS_METHOD_CALL:
		return m->path && m->member ? 0 : bad(err, "a call without PATH or MEMBER");
	case RF_DBUS_METHOD_RETURN:
		return m->reply_serial ? 0 : bad(err, "a reply without REPLY_SERIAL");
	case RF_DBUS_ERROR:
		return m->reply_serial && m->error_name ? 0
		       : bad(err, "an error without REPLY_SERIAL or ERROR_NAME");
	case RF_DBUS_SIGNAL:
		return m->path && m->interface && m->member ? 0
		       : bad(err, "a signal without PATH, INTERFACE or MEMBER");
	default:
		return bad(err, "unknown message type");
	}
}

int rf_dbus_parse(const uint8_t *data, size_t len, rf_dbus_msg *m, rf_error *err)
{
	cursor c = { .d = data, .end = len };
	ssize_t size = rf_dbus_message_size(data, len, err);
	const char *sig;
	uint32_t fields;

	memset(m, 0, sizeof(*m));
	if (size < 0)
		return -1;
	if (size == 0 || (size_t)size != len)
		return bad(err, "the length does not match the header");
	c.be = m->big_endian = data[0] == 'B';
	m->data = data;
	m->len = len;
	m->type = data[1];
	m->flags = data[2];
	m->serial = load_u32(data + 8, c.be);
	fields = load_u32(data + 12, c.be);
	if (!m->serial)
		return bad(err, "serial 0");
	c.pos = FIXED_HEADER;
	c.end = FIXED_HEADER + (size_t)fields;
	while (c.pos < c.end)
		if (parse_field(&c, m, err) < 0)
			return -1;
	c.end = len;
	if (align_to(&c, 8, err) < 0)
		return -1;
	m->body = c.pos;
	m->body_len = len - c.pos;
	if (!m->signature)
		m->signature = "";
	if (check_required(m, err) < 0)
		return -1;
	/* Walk the whole body against its signature before anyone reads it. */
	for (sig = m->signature; *sig; )
		if (skip_value(&c, &sig, err) < 0)
			return -1;
	if (c.pos != len)
		return bad(err, "bytes after the body's last value");
	return 0;
}

/* ---- reading a body ------------------------------------------------------ */

void rf_dbus_reader_init(rf_dbus_reader *r, const rf_dbus_msg *m)
{
	r->m = m;
	r->pos = m->body;
	r->end = m->body + m->body_len;
	r->sig = m->signature;
}

static int expect(rf_dbus_reader *r, char type, rf_error *err)
{
	if (*r->sig != type)
		return rf_error_set(err, EBADMSG, "unexpected D-Bus reply: `%c` where `%s` came",
				    type, *r->sig ? r->sig : "(nothing)");
	r->sig++;
	return 0;
}

static cursor reader_cursor(const rf_dbus_reader *r)
{
	return (cursor){ .d = r->m->data, .pos = r->pos, .end = r->end, .be = r->m->big_endian };
}

int rf_dbus_read_u32(rf_dbus_reader *r, uint32_t *v, rf_error *err)
{
	cursor c = reader_cursor(r);

	if (expect(r, 'u', err) < 0 || get_fixed(&c, 4, v, err) < 0)
		return -1;
	r->pos = c.pos;
	return 0;
}

int rf_dbus_read_string(rf_dbus_reader *r, char type, const char **s, rf_error *err)
{
	cursor c = reader_cursor(r);

	if (expect(r, type, err) < 0 || get_string(&c, s, err) < 0)
		return -1;
	r->pos = c.pos;
	return 0;
}

int rf_dbus_read_variant_string(rf_dbus_reader *r, const char **s, rf_error *err)
{
	cursor c = reader_cursor(r);
	const char *inner;

	if (expect(r, 'v', err) < 0 || get_signature(&c, &inner, err) < 0)
		return -1;
	if (strcmp(inner, "s") && strcmp(inner, "o"))
		return rf_error_set(err, EBADMSG, "unexpected D-Bus reply: a variant of `%s`, not a string",
				    inner);
	if (get_string(&c, s, err) < 0)
		return -1;
	r->pos = c.pos;
	return 0;
}
