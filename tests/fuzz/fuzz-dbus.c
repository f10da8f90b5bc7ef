/* libFuzzer target for src/dbus-message.c: whatever bytes a socket delivers
 * are sized, parsed and read as the systemd manager reads replies and
 * signals. Beyond "no crash": a parsed message is exactly as long as its
 * header says, its body is 8-aligned and inside it, its signature valid; a
 * parsed call with no body, built again from its fields, parses to the same
 * fields; every error is one printable line. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ringfence/dbus.h"

#include "fuzz.h"

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Read the body value by value, as far as the reader's types go. */
static void read_body(const rf_dbus_msg *m)
{
	rf_dbus_reader r;
	rf_error err = { 0 };

	rf_dbus_reader_init(&r, m);
	while (*r.sig) {
		const char *s;
		uint32_t u;
		int rc;

		switch (*r.sig) {
		case 's': case 'o': rc = rf_dbus_read_string(&r, *r.sig, &s, &err); break;
		case 'u': rc = rf_dbus_read_u32(&r, &u, &err); break;
		case 'v': rc = rf_dbus_read_variant_string(&r, &s, &err); break;
		default: return;
		}
		if (rc < 0) {
			fuzz_check_line(err.msg);
			return;
		}
		CHECK(r.pos <= r.end);
	}
}

static void rebuild(const rf_dbus_msg *m)
{
	rf_dbus_method call = {
		m->destination, m->path, m->interface, m->member, m->signature,
	};
	rf_dbus_buf b;
	rf_dbus_msg again;
	rf_error err = { 0 };

	rf_dbus_begin_call(&b, m->serial, &call);
	if (rf_dbus_finish(&b, &err) == 0) {
		CHECK(rf_dbus_parse(b.data, b.len, &again, &err) == 0);
		CHECK(same(again.path, m->path) && same(again.interface, m->interface));
		CHECK(same(again.member, m->member) && same(again.destination, m->destination));
		CHECK(again.serial == m->serial && !strcmp(again.signature, ""));
	}
	rf_dbus_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rf_error err = { 0 };
	rf_dbus_msg m;
	ssize_t n = rf_dbus_message_size(data, size, &err);
	char *sig;

	if (n < 0)
		fuzz_check_line(err.msg);
	if (rf_dbus_parse(data, size, &m, &err) < 0) {
		fuzz_check_line(err.msg);
	} else {
		CHECK(n == (ssize_t)size);
		CHECK(m.body % 8 == 0 && m.body + m.body_len == size);
		CHECK(rf_dbus_signature_valid(m.signature));
		read_body(&m);
		if (m.type == RF_DBUS_METHOD_CALL && !*m.signature)
			rebuild(&m);
	}
	/* The same bytes as a signature. */
	sig = strndup((const char *)data, size);
	if (sig) {
		(void)rf_dbus_signature_valid(sig);
		free(sig);
	}
	return 0;
}
