/*
 * Entry: read the spec from fd 3, check the protocol version, leave the caller when asked to
 * detach, then act as the container's monitor (monitor.c). Failures before the container exists
 * are reported with step "protocol" or "detach" and exit status 127.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

/* Everything below relies on 0, 1 and 2 being open: pipes must never land on them by accident. */
static void ensure_stdio(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0) {
			int n = open("/dev/null", O_RDWR);
			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
}

/*
 * `-d`: the caller (lade) must not wait for the container. The parent exits at once; the child is
 * the monitor, in its own session so the caller's terminal hanging up does not reach it, with its
 * stdio on /dev/null. The report pipe stays with the child, which closes it after "started".
 */
static void detach(void)
{
	pid_t pid = fork();
	if (pid < 0) {
		report_error("detach", errno, "");
		_exit(127);
	}
	if (pid > 0)
		_exit(0);
	setsid();
	/* A long-lived monitor must not keep the caller's working directory busy (an unmount would fail); spec paths are absolute. */
	if (chdir("/") != 0) {
		report_error("detach", errno, "/");
		_exit(127);
	}
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0) {
		report_error("detach", errno, "/dev/null");
		_exit(127);
	}
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	close(null);
}

int main(void)
{
	ensure_stdio();
	/* lade may be gone when a report or a copy of the output is written: that must not kill the monitor. */
	signal(SIGPIPE, SIG_IGN);
	report_init();
	char *buf;
	size_t len;
	if (read_all(SPEC_FD, &buf, &len) != 0) {
		report_error("protocol", errno, "fd 3");
		return 127;
	}
	close(SPEC_FD);
	static struct spec spec;
	struct decode_error error;
	if (spec_decode(buf, len, &spec, &error) != 0) {
		report_error("protocol", error.err, error.detail);
		return 127;
	}
	if (spec.detach)
		detach();
	return run_monitor(&spec);
}
