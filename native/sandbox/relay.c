/*
 * The relay loop: the monitor's stdin to the container, the container's output to the framed log
 * (LOG_RECORD in src/executor/sandbox-spec.ts) and, when attached, to the monitor's own stdout
 * and stderr; signals forwarded; the first process reaped. It returns once that process has ended
 * and its output is drained.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				/* The caller's stdout may be non-blocking (inherited from a Node parent): wait, do not spin. */
				struct pollfd pfd = {.fd = fd, .events = POLLOUT};
				poll(&pfd, 1, -1);
				continue;
			}
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void log_record(int fd, int stream, const char *data, size_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	unsigned char header[13];
	header[0] = (unsigned char)stream;
	for (int i = 0; i < 8; i++)
		header[1 + i] = (unsigned char)(ns >> (8 * i));
	uint32_t n32 = (uint32_t)len;
	for (int i = 0; i < 4; i++)
		header[9 + i] = (unsigned char)(n32 >> (8 * i));
	/* One writev per record: with O_APPEND the record lands whole even if a reader tails the file. */
	struct iovec iov[2] = {{header, sizeof header}, {(void *)data, len}};
	size_t total = sizeof header + len;
	ssize_t w = writev(fd, iov, 2);
	if (w >= 0 && (size_t)w < total) {
		/* Short write (disk full mid-record): finish it so the framing stays intact if space returns. */
		size_t done = (size_t)w;
		if (done < sizeof header)
			write_all(fd, header + done, sizeof header - done), done = sizeof header;
		write_all(fd, data + (done - sizeof header), total - done);
	}
}

struct relay_state {
	struct monitor *m;
	int copy_ok[3]; /* the monitor's fd 1 and 2 still take copies */
	char inbuf[BUF_SIZE];
	size_t in_len, in_off;
	int stdin_open; /* still reading the monitor's fd 0 */
};

static void emit(struct relay_state *r, int stream, const char *data, size_t len)
{
	struct monitor *m = r->m;
	if (m->log_fd >= 0)
		log_record(m->log_fd, stream, data, len);
	if (m->spec->attach && r->copy_ok[stream]) {
		/* A reader that went away (EPIPE, a hung-up terminal's EIO) does not stop the logging. */
		if (write_all(stream, data, len) != 0)
			r->copy_ok[stream] = 0;
	}
}

/* Reads what is there from an output fd; closes it at EOF (EIO is a pty's EOF). Returns 0 when nothing more is readable now. */
static int pump_output(struct relay_state *r, int *fd, int stream)
{
	static char buf[BUF_SIZE];
	ssize_t n = read(*fd, buf, sizeof buf);
	if (n > 0) {
		emit(r, stream, buf, (size_t)n);
		return 1;
	}
	if (n < 0 && (errno == EINTR))
		return 1;
	if (n < 0 && errno == EAGAIN)
		return 0;
	close(*fd);
	*fd = -1;
	if (r->m->pty) {
		/* The pty master was also the container's stdin. */
		r->m->in_fd = -1;
		r->in_len = r->in_off = 0;
	}
	return 0;
}

static void close_container_stdin(struct relay_state *r)
{
	struct monitor *m = r->m;
	/* A pty's master is also its output: only stop writing to it. */
	if (!m->pty && m->in_fd >= 0)
		close(m->in_fd);
	m->in_fd = -1;
	r->in_len = r->in_off = 0;
}

static void pump_stdin(struct relay_state *r)
{
	ssize_t n = read(0, r->inbuf, sizeof r->inbuf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		r->stdin_open = 0;
		close_container_stdin(r);
		return;
	}
	r->in_len = (size_t)n;
	r->in_off = 0;
}

static void flush_stdin(struct relay_state *r)
{
	struct monitor *m = r->m;
	ssize_t n = write(m->in_fd, r->inbuf + r->in_off, r->in_len - r->in_off);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		/* The container closed its stdin: nothing more to give it. */
		r->stdin_open = 0;
		close_container_stdin(r);
		return;
	}
	r->in_off += (size_t)n;
	if (r->in_off == r->in_len)
		r->in_len = r->in_off = 0;
}

static void reap(struct monitor *m)
{
	int status;
	pid_t p;
	while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
		if (p != m->pid)
			continue;
		m->exited = 1;
		if (WIFSIGNALED(status)) {
			m->exit_signal = WTERMSIG(status);
			m->exit_code = 128 + m->exit_signal;
		} else {
			m->exit_signal = 0;
			m->exit_code = WEXITSTATUS(status);
		}
	}
}

static void handle_signals(struct relay_state *r)
{
	struct monitor *m = r->m;
	struct signalfd_siginfo si;
	while (read(m->signal_fd, &si, sizeof si) == (ssize_t)sizeof si) {
		int sig = (int)si.ssi_signo;
		if (sig == SIGCHLD)
			reap(m);
		else if (sig == SIGWINCH) {
			if (m->pty && m->out_fd >= 0)
				terminal_copy_size(0, m->out_fd);
		} else if (!m->exited)
			kill(m->pid, sig);
	}
}

void relay(struct monitor *m)
{
	static struct relay_state state;
	struct relay_state *r = &state;
	r->m = m;
	r->copy_ok[1] = r->copy_ok[2] = 1;
	/* Detached, fd 0 is /dev/null: -di keeps the container's stdin open but gives it nothing, as Docker does. */
	r->stdin_open = m->spec->stdin_open && !m->spec->detach && m->in_fd >= 0;
	if (m->out_fd >= 0)
		fcntl(m->out_fd, F_SETFL, fcntl(m->out_fd, F_GETFL) | O_NONBLOCK);
	if (m->err_fd >= 0)
		fcntl(m->err_fd, F_SETFL, fcntl(m->err_fd, F_GETFL) | O_NONBLOCK);
	if (m->in_fd >= 0 && !m->pty)
		fcntl(m->in_fd, F_SETFL, fcntl(m->in_fd, F_GETFL) | O_NONBLOCK);
	if (m->pty && m->spec->attach && isatty(0)) {
		terminal_copy_size(0, m->out_fd);
		/* As the docker CLI: raw mode only when keystrokes are passed on (-it); the pty does the line editing. */
		if (r->stdin_open)
			terminal_raw(0);
	}

	while (!m->exited) {
		struct pollfd p[5];
		int n = 0, i_sig, i_in = -1, i_cin = -1, i_out = -1, i_err = -1;
		p[i_sig = n++] = (struct pollfd){.fd = m->signal_fd, .events = POLLIN};
		if (r->stdin_open && r->in_len == 0)
			p[i_in = n++] = (struct pollfd){.fd = 0, .events = POLLIN};
		if (r->in_len > 0 && m->in_fd >= 0)
			p[i_cin = n++] = (struct pollfd){.fd = m->in_fd, .events = POLLOUT};
		if (m->out_fd >= 0)
			p[i_out = n++] = (struct pollfd){.fd = m->out_fd, .events = POLLIN};
		if (m->err_fd >= 0)
			p[i_err = n++] = (struct pollfd){.fd = m->err_fd, .events = POLLIN};
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (i_out >= 0 && p[i_out].revents)
			pump_output(r, &m->out_fd, 1);
		if (i_err >= 0 && p[i_err].revents)
			pump_output(r, &m->err_fd, 2);
		if (i_in >= 0 && p[i_in].revents)
			pump_stdin(r);
		if (i_cin >= 0 && p[i_cin].revents)
			flush_stdin(r);
		if (p[i_sig].revents)
			handle_signals(r);
	}
	/*
	 * Drain. With a PID namespace every other process died with PID 1, so the pipes end; in exec
	 * mode a background process may hold them open, so take what is buffered and stop.
	 */
	while (m->out_fd >= 0 && pump_output(r, &m->out_fd, 1))
		;
	while (m->err_fd >= 0 && pump_output(r, &m->err_fd, 2))
		;
}
