/* A D-Bus connection over a Unix socket (include/ringfence/dbus.h): connect,
 * authenticate, call, wait for signals. Single-threaded and blocking in
 * spirit, but every wait is a poll() bounded by the connection's deadline:
 * a systemd that is busy (calls have taken 10-25 s under container churn)
 * or a bus that never answers (a non-root call to the system manager waits
 * ~25 s for polkit) costs at most that, and fails with the socket's name.
 *
 * Authentication is SASL EXTERNAL with our euid, as every D-Bus peer on
 * Linux accepts it: "\0AUTH EXTERNAL <hex of the decimal uid>\r\n" with
 * "BEGIN\r\n" in the same write (see authenticate()), then the server's
 * "OK <guid>\r\n". A message bus then needs Hello()
 * before anything else; systemd's private socket is peer-to-peer and
 * needs nothing more. We talk only to a peer running as root or as our
 * euid (SO_PEERCRED), as systemd's own tools do. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ringfence/cleanup.h"
#include "ringfence/dbus.h"

void rf_dbus_init(rf_dbus *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

void rf_dbus_close(rf_dbus *c)
{
	rf_closep(&c->fd);
	free(c->in);
	rf_dbus_init(c);
}

void rf_dbus_reply_free(rf_dbus_reply *r)
{
	free(r->raw);
	memset(r, 0, sizeof(*r));
}

uint32_t rf_dbus_next_serial(rf_dbus *c)
{
	if (++c->serial == 0)
		c->serial = 1;
	return c->serial;
}

/* Milliseconds left before the deadline, 0 when it has passed. */
static int remaining_ms(const rf_dbus *c)
{
	struct timespec now;
	int64_t ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (int64_t)(c->deadline.tv_sec - now.tv_sec) * 1000 +
	     (c->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > INT32_MAX ? INT32_MAX : (int)ms;
}

static int timed_out(const rf_dbus *c, const char *waiting, rf_error *err)
{
	return rf_error_set(err, ETIMEDOUT, "no answer from `%s` while %s (timed out)", c->address,
			    waiting);
}

/* Wait until fd is ready for `events`, or the deadline. */
static int wait_fd(rf_dbus *c, short events, const char *waiting, rf_error *err)
{
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = events };
		int ms = remaining_ms(c), n;

		if (ms == 0)
			return timed_out(c, waiting, err);
		n = poll(&p, 1, ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rf_error_set(err, errno, "poll `%s`", c->address);
		if (n > 0)
			return 0;
	}
}

static int send_all(rf_dbus *c, const void *data, size_t len, rf_error *err)
{
	const uint8_t *p = data;

	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(c, POLLOUT, "sending", err) < 0)
				return -1;
			continue;
		}
		if (n < 0)
			return rf_error_set(err, errno, "send to `%s`", c->address);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read more bytes into c->in. */
static int receive(rf_dbus *c, const char *waiting, rf_error *err)
{
	for (;;) {
		ssize_t n;

		if (c->in_cap - c->in_len < 4096) {
			size_t cap = c->in_cap ? c->in_cap * 2 : 8192;
			uint8_t *grown;

			if (cap > RF_DBUS_MAX_MESSAGE + 8192)
				return rf_error_set(err, EMSGSIZE, "too much data from `%s`", c->address);
			grown = realloc(c->in, cap);
			if (!grown)
				return rf_error_set(err, ENOMEM, "read from `%s`", c->address);
			c->in = grown;
			c->in_cap = cap;
		}
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
		if (n > 0) {
			c->in_len += (size_t)n;
			return 0;
		}
		if (n == 0)
			return rf_error_set(err, ECONNRESET, "`%s` closed the connection while %s",
					    c->address, waiting);
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return rf_error_set(err, errno, "read from `%s`", c->address);
		if (wait_fd(c, POLLIN, waiting, err) < 0)
			return -1;
	}
}

static void consume(rf_dbus *c, size_t n)
{
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
}

/* ---- connecting ------------------------------------------------------------ */

static int check_peer(rf_dbus *c, rf_error *err)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return rf_error_set(err, errno, "peer credentials of `%s`", c->address);
	if (cred.uid != 0 && cred.uid != geteuid())
		return rf_error_set(err, EPERM, "`%s` is served by uid %u, neither root nor us",
				    c->address, (unsigned)cred.uid);
	return 0;
}

/* One "\r\n"-terminated line of the authentication dialogue into line. */
static int auth_line(rf_dbus *c, char *line, size_t len, rf_error *err)
{
	for (;;) {
		uint8_t *end = c->in_len ? memchr(c->in, '\n', c->in_len) : NULL;

		if (end) {
			size_t n = (size_t)(end - c->in) + 1;

			if (n >= len)
				return rf_error_set(err, EPROTO, "`%s`: authentication line too long",
						    c->address);
			memcpy(line, c->in, n);
			line[n] = '\0';
			line[strcspn(line, "\r\n")] = '\0';
			consume(c, n);
			return 0;
		}
		if (c->in_len >= len)
			return rf_error_set(err, EPROTO, "`%s`: authentication line too long", c->address);
		if (receive(c, "authenticating", err) < 0)
			return -1;
	}
}

static int authenticate(rf_dbus *c, rf_error *err)
{
	char uid[16], hex[40], msg[80], line[256];
	int n;

	snprintf(uid, sizeof(uid), "%u", (unsigned)geteuid());
	for (size_t i = 0; uid[i]; i++)
		snprintf(hex + 2 * i, sizeof(hex) - 2 * i, "%02x", (unsigned char)uid[i]);
	/* BEGIN goes with AUTH, in one write, as sd-bus sends it: systemd 252's
	 * private socket (an sd-bus server) does not look again at bytes that
	 * came in the same read as BEGIN, so a call sent right after a separate
	 * BEGIN can sit unanswered until the connection closes. The call waits
	 * for the OK, by which time the server is past BEGIN. */
	n = snprintf(msg, sizeof(msg), "%cAUTH EXTERNAL %s\r\nBEGIN\r\n", '\0', hex);
	if (send_all(c, msg, (size_t)n, err) < 0 || auth_line(c, line, sizeof(line), err) < 0)
		return -1;
	if (strncmp(line, "OK ", 3))
		return rf_error_set(err, EACCES, "`%s` refused us (uid %s): `%.100s`", c->address, uid,
				    line);
	return 0;
}

static int hello(rf_dbus *c, rf_error *err)
{
	static const rf_dbus_method call = {
		.destination = "org.freedesktop.DBus", .path = "/org/freedesktop/DBus",
		.interface = "org.freedesktop.DBus", .member = "Hello",
	};
	rf_dbus_buf b;
	int r;

	rf_dbus_begin_call(&b, rf_dbus_next_serial(c), &call);
	r = rf_dbus_finish(&b, err);
	if (r == 0)
		r = rf_dbus_call(c, &b, NULL, NULL, NULL, NULL, 0, err);
	rf_dbus_buf_free(&b);
	return r;
}

int rf_dbus_connect(rf_dbus *c, const char *path, bool bus, int timeout_ms, rf_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	rf_dbus_init(c);
	snprintf(c->address, sizeof(c->address), "%s", path);
	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += timeout_ms / 1000;
	c->deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (c->deadline.tv_nsec >= 1000000000) {
		c->deadline.tv_sec++;
		c->deadline.tv_nsec -= 1000000000;
	}
	if (strlen(path) >= sizeof(sa.sun_path))
		return rf_error_set(err, ENAMETOOLONG, "D-Bus socket path `%s` is too long", path);
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return rf_error_set(err, errno, "create a socket for `%s`", path);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		/* A full backlog: the connection completes (or fails) later. */
		if (errno != EAGAIN && errno != EINPROGRESS)
			return rf_error_set(err, errno, "connect to `%s`", path);
		if (wait_fd(c, POLLOUT, "connecting", err) < 0)
			return -1;
	}
	if (check_peer(c, err) < 0 || authenticate(c, err) < 0)
		return -1;
	c->bus = bus;
	return bus ? hello(c, err) : 0;
}

/* ---- messages ------------------------------------------------------------- */

/* The next whole message into r (its bytes owned by r). */
static int next_message(rf_dbus *c, rf_dbus_reply *r, const char *waiting, rf_error *err)
{
	for (;;) {
		ssize_t size = rf_dbus_message_size(c->in, c->in_len, err);

		if (size < 0)
			return rf_error_prefix(err, "from `%s`", c->address);
		if (size > 0 && c->in_len >= (size_t)size) {
			r->raw = malloc((size_t)size);
			if (!r->raw)
				return rf_error_set(err, ENOMEM, "read from `%s`", c->address);
			memcpy(r->raw, c->in, (size_t)size);
			consume(c, (size_t)size);
			if (rf_dbus_parse(r->raw, (size_t)size, &r->m, err) < 0) {
				rf_dbus_reply_free(r);
				return rf_error_prefix(err, "from `%s`", c->address);
			}
			return 0;
		}
		if (receive(c, waiting, err) < 0)
			return -1;
	}
}

/* An ERROR reply as err: "NAME: text". */
static int error_reply(const rf_dbus_msg *m, rf_error *err)
{
	rf_dbus_reader rd;
	const char *text = NULL;
	int errnum = EIO;

	rf_dbus_reader_init(&rd, m);
	if (*rd.sig == 's')
		rf_dbus_read_string(&rd, 's', &text, NULL);
	if (strstr(m->error_name, "AccessDenied") || strstr(m->error_name, "AuthFailed") ||
	    strstr(m->error_name, "InteractiveAuthorizationRequired"))
		errnum = EACCES;
	else if (strstr(m->error_name, "NoReply") || strstr(m->error_name, "Timeout"))
		errnum = ETIMEDOUT;
	else if (strstr(m->error_name, "ServiceUnknown") || strstr(m->error_name, "UnknownMethod"))
		errnum = ENOENT;
	return rf_error_set(err, errnum, "%s: %.400s", m->error_name, text ? text : "(no message)");
}

int rf_dbus_call(rf_dbus *c, rf_dbus_buf *b, rf_dbus_reply *reply, rf_dbus_signal_fn on_signal,
		 void *userdata, char *error_name, size_t name_len, rf_error *err)
{
	uint32_t serial;

	if (b->len < 16)
		return rf_error_set(err, EINVAL, "D-Bus message not built");
	serial = (uint32_t)b->data[8] | (uint32_t)b->data[9] << 8 | (uint32_t)b->data[10] << 16 |
		 (uint32_t)b->data[11] << 24;
	if (reply)
		memset(reply, 0, sizeof(*reply));
	if (error_name && name_len)
		error_name[0] = '\0';
	if (send_all(c, b->data, b->len, err) < 0)
		return -1;
	for (;;) {
		rf_dbus_reply r = { 0 };

		if (next_message(c, &r, "waiting for a reply", err) < 0)
			return -1;
		if (r.m.type == RF_DBUS_SIGNAL && on_signal)
			on_signal(&r.m, userdata);
		if ((r.m.type == RF_DBUS_METHOD_RETURN || r.m.type == RF_DBUS_ERROR) &&
		    r.m.reply_serial == serial) {
			int rc = 0;

			if (r.m.type == RF_DBUS_ERROR) {
				if (error_name && name_len)
					snprintf(error_name, name_len, "%s", r.m.error_name);
				rc = error_reply(&r.m, err);
			} else if (reply) {
				*reply = r;
				return 0;
			}
			rf_dbus_reply_free(&r);
			return rc;
		}
		rf_dbus_reply_free(&r);
	}
}

int rf_dbus_wait(rf_dbus *c, rf_dbus_signal_fn on_signal, bool (*done)(void *userdata),
		 void *userdata, rf_error *err)
{
	while (!done(userdata)) {
		rf_dbus_reply r = { 0 };

		if (next_message(c, &r, "waiting for a signal", err) < 0)
			return -1;
		if (r.m.type == RF_DBUS_SIGNAL)
			on_signal(&r.m, userdata);
		rf_dbus_reply_free(&r);
	}
	return 0;
}
