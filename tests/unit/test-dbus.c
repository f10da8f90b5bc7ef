/* The D-Bus marshaller and parser (src/dbus-message.c), as tables: the
 * bytes of a Hello call against the form every D-Bus client sends, calls
 * built and parsed back, signatures, a big-endian reply written out by hand,
 * and that reply broken one byte at a time, each break named by its error. */
#include "config.h"

#include <string.h>

#include "cases.h"
#include "ringfence/cleanup.h"
#include "ringfence/dbus.h"

/* ---- Hello, byte for byte ------------------------------------------------ */

/* What libdbus and sd-bus put on the wire for Hello() with serial 1. */
static const uint8_t hello_bytes[] =
	"l\1\0\1\0\0\0\0\1\0\0\0m\0\0\0"
	"\1\1o\0\25\0\0\0/org/freedesktop/DBus\0\0\0"
	"\2\1s\0\24\0\0\0org.freedesktop.DBus\0\0\0\0"
	"\3\1s\0\5\0\0\0Hello\0\0\0"
	"\6\1s\0\24\0\0\0org.freedesktop.DBus\0\0\0\0";

static void test_hello(void **state)
{
	rf_dbus_method call = {
		.destination = "org.freedesktop.DBus", .path = "/org/freedesktop/DBus",
		.interface = "org.freedesktop.DBus", .member = "Hello",
	};
	rf_dbus_buf b;
	rf_error err = { 0 };

	(void)state;
	rf_dbus_begin_call(&b, 1, &call);
	assert_int_equal(rf_dbus_finish(&b, &err), 0);
	/* 125 bytes of header padded to 128 (and the literal's own NUL). */
	assert_int_equal(b.len, 128);
	assert_int_equal(sizeof(hello_bytes), 129);
	assert_memory_equal(b.data, hello_bytes, 128);
	rf_dbus_buf_free(&b);
}

/* ---- calls built and parsed back -------------------------------------------- */

/* StartTransientUnit's body: ssa(sv)a(sa(sv)) with variants of s, b, au. */
static void put_start_transient_unit(rf_dbus_buf *b)
{
	rf_dbus_array props, pids, aux;

	rf_dbus_put_string(b, 's', "ringfence-1-abc.scope");
	rf_dbus_put_string(b, 's', "fail");
	props = rf_dbus_open_array(b, 8);
	rf_dbus_open_struct(b);
	rf_dbus_put_string(b, 's', "Delegate");
	rf_dbus_put_signature(b, "b");
	rf_dbus_put_bool(b, true);
	rf_dbus_open_struct(b);
	rf_dbus_put_string(b, 's', "PIDs");
	rf_dbus_put_signature(b, "au");
	pids = rf_dbus_open_array(b, 4);
	rf_dbus_put_u32(b, 4242);
	rf_dbus_close_array(b, pids);
	rf_dbus_open_struct(b);
	rf_dbus_put_string(b, 's', "Description");
	rf_dbus_put_signature(b, "s");
	rf_dbus_put_string(b, 's', "ringfence sandbox");
	rf_dbus_open_struct(b);
	rf_dbus_put_string(b, 's', "MemoryMax");
	rf_dbus_put_signature(b, "t");
	rf_dbus_put_u64(b, 1ULL << 40);
	rf_dbus_close_array(b, props);
	aux = rf_dbus_open_array(b, 8);   /* empty: padding to 8 is still written */
	rf_dbus_close_array(b, aux);
}

static void put_two_strings(rf_dbus_buf *b)
{
	rf_dbus_put_string(b, 's', "org.freedesktop.systemd1.Manager");
	rf_dbus_put_string(b, 's', "ControlGroup");
}

/* PropertiesChanged's body, sa{sv}as: what systemd sends every direct
 * connection, wanted or not. */
static void put_properties_changed(rf_dbus_buf *b)
{
	rf_dbus_array changed, invalidated;

	rf_dbus_put_string(b, 's', "org.freedesktop.systemd1.Unit");
	changed = rf_dbus_open_array(b, 8);
	rf_dbus_open_struct(b);
	rf_dbus_put_string(b, 's', "ActiveState");
	rf_dbus_put_signature(b, "s");
	rf_dbus_put_string(b, 's', "active");
	rf_dbus_open_struct(b);
	rf_dbus_put_string(b, 's', "Job");
	rf_dbus_put_signature(b, "(uo)");
	rf_dbus_open_struct(b);
	rf_dbus_put_u32(b, 7);
	rf_dbus_put_string(b, 'o', "/org/freedesktop/systemd1/job/7");
	rf_dbus_close_array(b, changed);
	invalidated = rf_dbus_open_array(b, 4);
	rf_dbus_put_string(b, 's', "Conditions");
	rf_dbus_close_array(b, invalidated);
}

static void put_nothing(rf_dbus_buf *b)
{
	(void)b;
}

struct call_row {
	const char *name;
	rf_dbus_method call;
	void (*body)(rf_dbus_buf *b);
	const char *first_string;   /* the body's first 's', if any */
};

static const struct call_row call_rows[] = {
	{ "StartTransientUnit",
	  { "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
	    "org.freedesktop.systemd1.Manager", "StartTransientUnit", "ssa(sv)a(sa(sv))" },
	  put_start_transient_unit, "ringfence-1-abc.scope" },
	{ "Properties.Get on a direct connection (no destination)",
	  { NULL, "/org/freedesktop/systemd1", "org.freedesktop.DBus.Properties", "Get", "ss" },
	  put_two_strings, "org.freedesktop.systemd1.Manager" },
	{ "a{sv} and as (PropertiesChanged)",
	  { NULL, "/org/freedesktop/systemd1/unit/x", "org.freedesktop.DBus.Properties",
	    "PropertiesChanged", "sa{sv}as" },
	  put_properties_changed, "org.freedesktop.systemd1.Unit" },
	{ "a call without a body",
	  { "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", NULL },
	  put_nothing, NULL },
};

static void test_call(void **state)
{
	const struct call_row *row = *state;
	rf_dbus_buf b;
	rf_dbus_msg m;
	rf_error err = { 0 };

	rf_dbus_begin_call(&b, 77, &row->call);
	row->body(&b);
	assert_int_equal(rf_dbus_finish(&b, &err), 0);
	assert_int_equal(rf_dbus_message_size(b.data, b.len, &err), (ssize_t)b.len);
	if (rf_dbus_parse(b.data, b.len, &m, &err) < 0)
		fail_msg("parse: %s", err.msg);
	assert_int_equal(m.type, RF_DBUS_METHOD_CALL);
	assert_int_equal(m.serial, 77);
	assert_false(m.big_endian);
	assert_string_equal(m.path, row->call.path);
	assert_string_equal(m.interface, row->call.interface);
	assert_string_equal(m.member, row->call.member);
	if (row->call.destination)
		assert_string_equal(m.destination, row->call.destination);
	else
		assert_null(m.destination);
	assert_string_equal(m.signature, row->call.signature ? row->call.signature : "");
	assert_int_equal(m.body % 8, 0);
	if (row->first_string) {
		rf_dbus_reader r;
		const char *s;
		uint32_t u;

		rf_dbus_reader_init(&r, &m);
		assert_int_equal(rf_dbus_read_string(&r, 's', &s, &err), 0);
		assert_string_equal(s, row->first_string);
		/* The next value is a string too: asking for a u32 is refused. */
		assert_int_equal(rf_dbus_read_u32(&r, &u, &err), -1);
		assert_non_null(strstr(err.msg, "unexpected D-Bus reply"));
	}
	rf_dbus_buf_free(&b);
}

/* A call with the signature "uoss", its type byte then made SIGNAL: how
 * systemd's JobRemoved arrives, read the way the systemd manager reads it. */
static void test_job_removed(void **state)
{
	rf_dbus_method call = {
		NULL, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "JobRemoved",
		"uoss",
	};
	rf_dbus_buf b;
	rf_dbus_msg m;
	rf_dbus_reader r;
	rf_error err = { 0 };
	const char *job, *unit, *result;
	uint32_t id;

	(void)state;
	rf_dbus_begin_call(&b, 9, &call);
	rf_dbus_put_u32(&b, 123);
	rf_dbus_put_string(&b, 'o', "/org/freedesktop/systemd1/job/123");
	rf_dbus_put_string(&b, 's', "ringfence-1-abc.scope");
	rf_dbus_put_string(&b, 's', "done");
	assert_int_equal(rf_dbus_finish(&b, &err), 0);
	b.data[1] = RF_DBUS_SIGNAL;
	assert_int_equal(rf_dbus_parse(b.data, b.len, &m, &err), 0);
	assert_int_equal(m.type, RF_DBUS_SIGNAL);
	rf_dbus_reader_init(&r, &m);
	assert_int_equal(rf_dbus_read_u32(&r, &id, &err), 0);
	assert_int_equal(rf_dbus_read_string(&r, 'o', &job, &err), 0);
	assert_int_equal(rf_dbus_read_string(&r, 's', &unit, &err), 0);
	assert_int_equal(rf_dbus_read_string(&r, 's', &result, &err), 0);
	assert_int_equal(id, 123);
	assert_string_equal(job, "/org/freedesktop/systemd1/job/123");
	assert_string_equal(unit, "ringfence-1-abc.scope");
	assert_string_equal(result, "done");
	assert_int_equal(rf_dbus_read_string(&r, 's', &result, &err), -1);
	rf_dbus_buf_free(&b);
}

/* ---- a big-endian reply, whole and broken ----------------------------------- */

/* METHOD_RETURN, serial 5, REPLY_SERIAL 2, signature "o", body "/a/b". */
static const uint8_t be_reply[41] = {
	'B', 2, 0, 1, 0, 0, 0, 9, 0, 0, 0, 5, 0, 0, 0, 15,
	5, 1, 'u', 0, 0, 0, 0, 2,
	8, 1, 'g', 0, 1, 'o', 0, 0,
	0, 0, 0, 4, '/', 'a', '/', 'b', 0,
};

static void test_be_reply(void **state)
{
	rf_dbus_msg m;
	rf_dbus_reader r;
	rf_error err = { 0 };
	const char *path;

	(void)state;
	assert_int_equal(rf_dbus_message_size(be_reply, sizeof(be_reply), &err), 41);
	assert_int_equal(rf_dbus_parse(be_reply, sizeof(be_reply), &m, &err), 0);
	assert_true(m.big_endian);
	assert_int_equal(m.type, RF_DBUS_METHOD_RETURN);
	assert_int_equal(m.serial, 5);
	assert_int_equal(m.reply_serial, 2);
	assert_string_equal(m.signature, "o");
	rf_dbus_reader_init(&r, &m);
	assert_int_equal(rf_dbus_read_string(&r, 'o', &path, &err), 0);
	assert_string_equal(path, "/a/b");
}

struct break_row {
	const char *name;
	size_t at;
	uint8_t value;
	size_t len;            /* 0: the whole message */
	const char *error;     /* a piece of the message */
};

static const struct break_row break_rows[] = {
	{ "an unknown byte order", 0, 'x', 0, "unknown byte order" },
	{ "protocol version 2", 3, 2, 0, "protocol version" },
	{ "message type 9", 1, 9, 0, "unknown message type" },
	{ "serial 0", 11, 0, 0, "serial 0" },
	{ "a body length one too long", 7, 10, 0, "length does not match" },
	{ "one byte missing", 0, 'B', 40, "length does not match" },
	{ "non-zero padding before the body", 31, 1, 0, "non-zero padding" },
	{ "a string without its NUL", 40, 'x', 0, "NUL" },
	{ "a string past the end", 35, 200, 0, "past the end" },
	{ "REPLY_SERIAL typed as a string", 18, 's', 0, "wrong type" },
	{ "no REPLY_SERIAL (an unknown field instead)", 16, 10, 0, "without REPLY_SERIAL" },
	{ "a signature that is not one", 29, '(', 0, "invalid signature" },
	{ "a body signature with a type that is not one", 29, 'z', 0, "invalid signature" },
	{ "a header field array past the message", 15, 200, 0, "length does not match" },
};

static void test_break(void **state)
{
	const struct break_row *row = *state;
	uint8_t msg[sizeof(be_reply)];
	rf_dbus_msg m;
	rf_error err = { 0 };

	memcpy(msg, be_reply, sizeof(msg));
	msg[row->at] = row->value;
	assert_int_equal(rf_dbus_parse(msg, row->len ? row->len : sizeof(msg), &m, &err), -1);
	if (!strstr(err.msg, row->error))
		fail_msg("expected an error with `%s`, got `%s`", row->error, err.msg);
}

/* ---- sizes -------------------------------------------------------------------- */

static void test_sizes(void **state)
{
	uint8_t big[16] = { 'l', 2, 0, 1, 0, 0, 0x20, 0, 1, 0, 0, 0, 0, 0, 0, 0 };
	rf_error err = { 0 };

	(void)state;
	/* Fewer than 16 bytes cannot tell. */
	assert_int_equal(rf_dbus_message_size(be_reply, 15, &err), 0);
	/* A 2 MiB body is more than we accept. */
	assert_int_equal(rf_dbus_message_size(big, sizeof(big), &err), -1);
	assert_int_equal(err.errnum, EMSGSIZE);
}

/* ---- signatures ---------------------------------------------------------------- */

struct sig_row {
	const char *sig;
	bool valid;
};

static const struct sig_row sig_rows[] = {
	{ "", true }, { "s", true }, { "uoss", true }, { "v", true }, { "a{sv}", true },
	{ "a(sv)", true }, { "ssa(sv)a(sa(sv))", true }, { "aai", true }, { "a{s(ii)}", true },
	{ "(", false }, { ")", false }, { "()", false }, { "a", false }, { "{sv}", false },
	{ "a{vs}", false }, { "a{sss}", false }, { "a{s}", false }, { "z", false },
	{ "(s", false }, { "s)", false },
	/* 32 nested arrays is the limit, 33 is over it; likewise structs */
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaai", true },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaai", false },
	{ "((((((((((((((((((((((((((((((((i))))))))))))))))))))))))))))))))", true },
	{ "(((((((((((((((((((((((((((((((((i)))))))))))))))))))))))))))))))))", false },
};

static void test_signature(void **state)
{
	const struct sig_row *row = *state;

	assert_int_equal(rf_dbus_signature_valid(row->sig), row->valid);
}

int main(void)
{
	static struct rf_cases cases;

	rf_case_add(&cases, test_hello, NULL, "Hello() is the bytes every D-Bus client sends");
	for (size_t i = 0; i < RF_ARRAY_SIZE(call_rows); i++)
		rf_case_add(&cases, test_call, &call_rows[i], "build and parse back: %s",
			    call_rows[i].name);
	rf_case_add(&cases, test_job_removed, NULL, "a JobRemoved signal read as uoss");
	rf_case_add(&cases, test_be_reply, NULL, "a big-endian method return");
	for (size_t i = 0; i < RF_ARRAY_SIZE(break_rows); i++)
		rf_case_add(&cases, test_break, &break_rows[i], "refused: %s", break_rows[i].name);
	rf_case_add(&cases, test_sizes, NULL, "message sizes: too short to tell, too large");
	for (size_t i = 0; i < RF_ARRAY_SIZE(sig_rows); i++)
		rf_case_add(&cases, test_signature, &sig_rows[i], "signature `%s` is %s",
			    sig_rows[i].sig, sig_rows[i].valid ? "valid" : "invalid");
	return rf_cases_run(&cases, "dbus");
}
