/*
 * `-t`: the pty is opened from the container's own /dev/ptmx after pivot_root, so its slave is
 * /dev/pts/N of the container's devpts (what `tty` prints there), and the master is passed to the
 * monitor with SCM_RIGHTS (as runc's console socket does). The monitor side: raw mode on its own
 * terminal and window-size copies.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

static void send_fd(int sock, int fd)
{
	char byte = 'm';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof u);
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	ssize_t n;
	while ((n = sendmsg(sock, &msg, 0)) < 0 && errno == EINTR)
		;
	if (n != 1)
		fail("terminal", "console socket");
}

int receive_fd(int sock)
{
	char byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	ssize_t n;
	while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n != 1)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

void child_open_terminal(int sock)
{
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		fail("terminal", "/dev/ptmx");
	if (unlockpt(master) != 0)
		fail("terminal", "/dev/ptmx");
	char name[64];
	if (ptsname_r(master, name, sizeof name) != 0)
		fail("terminal", "/dev/ptmx");
	int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		fail("terminal", name);
	/* The size of the terminal lade runs in (still fd 0 here: inherited from the monitor), set
	 * before the process starts, so its first `stty size` cannot race the monitor's copy. */
	struct winsize ws;
	if (isatty(0) && ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(slave, TIOCSWINSZ, &ws);
	send_fd(sock, master);
	close(master);
	close(sock);
	/* A new session whose controlling terminal is the slave: job control and ^C work inside. */
	if (setsid() < 0)
		fail("terminal", "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) != 0)
		fail("terminal", name);
	for (int i = 0; i < 3; i++)
		if (dup2(slave, i) < 0)
			fail("terminal", name);
	if (slave > 2)
		close(slave);
}

static struct termios saved;
static int saved_fd = -1;

void terminal_raw(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &t) != 0)
		return;
	saved = t;
	saved_fd = fd;
	cfmakeraw(&t);
	tcsetattr(fd, TCSADRAIN, &t);
}

void terminal_restore(void)
{
	if (saved_fd >= 0)
		tcsetattr(saved_fd, TCSADRAIN, &saved);
	saved_fd = -1;
}

void terminal_copy_size(int from, int to)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}
