/* recvtty SOCKET [INPUT]: the caller's side of an OCI console socket, as
 * conmon and containerd's shim are: listen on SOCKET, accept one connection,
 * receive one message that must hold exactly one SCM_RIGHTS fd and nothing
 * else (go-runc checks the control length; so does this), write INPUT to it
 * if given, then copy everything the pty master reads to stdout until the
 * container side is closed (EIO). Prints `name: NAME` (the message's data)
 * on stderr. Exit 0, or 1 with a reason. The socket exists before the first
 * line `listening` on stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	union {
		char buf[CMSG_SPACE(sizeof(int)) * 2];
		struct cmsghdr align;
	} u;
	char name[4096], data[4096];
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	int lfd, cfd, pty;
	ssize_t n;

	if (argc < 2 || argc > 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: recvtty SOCKET [INPUT]\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0)
		return die("listen");
	fprintf(stderr, "listening\n");
	cfd = accept(lfd, NULL, NULL);
	if (cfd < 0)
		return die("accept");
	n = recvmsg(cfd, &mh, 0);
	if (n < 0)
		return die("recvmsg");
	name[n] = '\0';
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int)) || mh.msg_controllen != CMSG_SPACE(sizeof(int)) ||
	    CMSG_NXTHDR(&mh, cm)) {
		fprintf(stderr, "recvtty: the message is not exactly one SCM_RIGHTS fd\n");
		return 1;
	}
	memcpy(&pty, CMSG_DATA(cm), sizeof(int));
	fprintf(stderr, "name: %s\n", name);
	close(cfd);
	close(lfd);
	if (argc == 3 && write(pty, argv[2], strlen(argv[2])) < 0)
		return die("write the input");
	while ((n = read(pty, data, sizeof(data))) > 0)
		if (write(STDOUT_FILENO, data, (size_t)n) != n)
			return die("write stdout");
	if (n < 0 && errno != EIO)
		return die("read the pty");
	return 0;
}
