/* A small D-Bus client: exactly what the systemd cgroup manager needs to ask
 * systemd for a transient scope, and nothing more (src/README.md says why
 * ringfence speaks D-Bus itself instead of loading libsystemd).
 *
 * dbus-message.c: marshalling (little-endian, the types below) and parsing
 * of whole messages in either byte order, with every length, offset,
 * alignment and nesting depth checked; pure code, unit-tested and fuzzed.
 * dbus.c: a Unix-socket connection (SASL EXTERNAL, Hello on a bus), calls,
 * and waiting for signals, every wait bounded by the connection's deadline. */
#ifndef RINGFENCE_DBUS_H
#define RINGFENCE_DBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "ringfence/error.h"

enum {
	RF_DBUS_METHOD_CALL = 1,
	RF_DBUS_METHOD_RETURN = 2,
	RF_DBUS_ERROR = 3,
	RF_DBUS_SIGNAL = 4,
};

/* The largest message we build or accept (the protocol allows 128 MiB;
 * nothing systemd sends us comes near this). */
#define RF_DBUS_MAX_MESSAGE (1u << 20)

/* ---- building a message (dbus-message.c) ---------------------------------- */

/* A message being built. Any failure (allocation, size) sets `failed` and
 * makes every later call a no-op; rf_dbus_finish() reports it. */
typedef struct rf_dbus_buf {
	uint8_t *data;
	size_t len, cap;
	size_t body;             /* where the body starts */
	bool failed;
} rf_dbus_buf;

typedef struct rf_dbus_call {
	const char *destination; /* NULL on a direct (peer-to-peer) connection */
	const char *path;
	const char *interface;
	const char *member;
	const char *signature;   /* of the body, NULL or "" when empty */
} rf_dbus_method;

/* Start a METHOD_CALL with this serial; the body follows with rf_dbus_put_*. */
void rf_dbus_begin_call(rf_dbus_buf *b, uint32_t serial, const rf_dbus_method *call);
void rf_dbus_put_byte(rf_dbus_buf *b, uint8_t v);
void rf_dbus_put_bool(rf_dbus_buf *b, bool v);
void rf_dbus_put_u32(rf_dbus_buf *b, uint32_t v);
void rf_dbus_put_u64(rf_dbus_buf *b, uint64_t v);
/* type 's' (string) or 'o' (object path) */
void rf_dbus_put_string(rf_dbus_buf *b, char type, const char *s);
void rf_dbus_put_signature(rf_dbus_buf *b, const char *sig);
/* An array of elements aligned to `align` (1, 2, 4 or 8): open it, write
 * the elements, close it with what open returned. */
typedef struct rf_dbus_array {
	size_t len_at, start;
} rf_dbus_array;
rf_dbus_array rf_dbus_open_array(rf_dbus_buf *b, unsigned align);
void rf_dbus_close_array(rf_dbus_buf *b, rf_dbus_array a);
/* Structs and dict entries start on an 8-byte boundary. */
void rf_dbus_open_struct(rf_dbus_buf *b);
/* Set the body's length in the header: 0, or -1 with err when building failed. */
int rf_dbus_finish(rf_dbus_buf *b, rf_error *err);
void rf_dbus_buf_free(rf_dbus_buf *b);

/* ---- parsing a message (dbus-message.c) ----------------------------------- */

/* A parsed message. The strings point into `data`, NUL-terminated and
 * checked; absent header fields are NULL (reply_serial 0). */
typedef struct rf_dbus_msg {
	const uint8_t *data;
	size_t len;
	bool big_endian;
	uint8_t type, flags;
	uint32_t serial, reply_serial;
	const char *path, *interface, *member, *error_name, *destination, *sender;
	const char *signature;   /* "" when the body is empty */
	size_t body, body_len;   /* the body is data[body .. body + body_len) */
} rf_dbus_msg;

/* How many bytes the message starting at `data` has in all, from its fixed
 * header: 0 when fewer than 16 bytes are there to tell, -1 (err) when the
 * header is invalid or the message larger than RF_DBUS_MAX_MESSAGE. */
ssize_t rf_dbus_message_size(const uint8_t *data, size_t len, rf_error *err);

/* Parse and check one whole message of `len` bytes. */
int rf_dbus_parse(const uint8_t *data, size_t len, rf_dbus_msg *m, rf_error *err);

/* Reading a body, value by value, against the message's signature. */
typedef struct rf_dbus_reader {
	const rf_dbus_msg *m;
	size_t pos, end;         /* offsets into m->data */
	const char *sig;         /* what is left of the signature */
} rf_dbus_reader;

void rf_dbus_reader_init(rf_dbus_reader *r, const rf_dbus_msg *m);
/* Each reads the next value, which must have this type; -1 (err) otherwise. */
int rf_dbus_read_u32(rf_dbus_reader *r, uint32_t *v, rf_error *err);
int rf_dbus_read_string(rf_dbus_reader *r, char type, const char **s, rf_error *err);
/* A variant holding one value of type `type` ('s', 'o' or 'u'). */
int rf_dbus_read_variant_string(rf_dbus_reader *r, const char **s, rf_error *err);

/* Is `sig` a valid signature (complete types, nesting within the limits)? */
bool rf_dbus_signature_valid(const char *sig);

/* ---- a connection (dbus.c) ----------------------------------------------- */

typedef struct rf_dbus {
	int fd;
	bool bus;                /* a message bus: Hello was sent, destinations needed */
	uint32_t serial;
	struct timespec deadline;/* CLOCK_MONOTONIC: every wait ends here */
	char address[108];       /* the socket, for messages */
	uint8_t *in;             /* bytes read and not yet parsed */
	size_t in_len, in_cap;
} rf_dbus;

/* A reply or a signal, owning its bytes. */
typedef struct rf_dbus_reply {
	uint8_t *raw;
	rf_dbus_msg m;
} rf_dbus_reply;

void rf_dbus_init(rf_dbus *c);
/* Connect to the Unix socket `path` and authenticate (EXTERNAL, our euid);
 * on a bus also Hello. The peer must run as root or as our euid. Every wait
 * from now on ends `timeout_ms` from now. */
int rf_dbus_connect(rf_dbus *c, const char *path, bool bus, int timeout_ms, rf_error *err);
void rf_dbus_close(rf_dbus *c);

/* Called for each signal that arrives while a call waits for its reply. */
typedef void (*rf_dbus_signal_fn)(const rf_dbus_msg *m, void *userdata);

/* Send the finished message `b` (give it the serial rf_dbus_next_serial())
 * and wait for the reply to that serial. A METHOD_RETURN fills `reply` (NULL: dropped); an
 * ERROR fails with the error's name and text in err (*error_name, if not
 * NULL, gets a copy of the name to decide on). */
uint32_t rf_dbus_next_serial(rf_dbus *c);
int rf_dbus_call(rf_dbus *c, rf_dbus_buf *b, rf_dbus_reply *reply, rf_dbus_signal_fn on_signal,
		 void *userdata, char *error_name, size_t name_len, rf_error *err);
/* Wait for signals until `done(userdata)` says so or the deadline passes. */
int rf_dbus_wait(rf_dbus *c, rf_dbus_signal_fn on_signal, bool (*done)(void *userdata),
		 void *userdata, rf_error *err);
void rf_dbus_reply_free(rf_dbus_reply *r);

#endif
