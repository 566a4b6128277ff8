/*
 * The monitor's start: stdio plumbing, the container's first process (clone with the spec's
 * namespaces, or the exec-mode double fork), cgroup placement before any setup step, the
 * "go" handshake, and the outcome of setup read from the error pipe. Then relay.c takes over.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Signals the monitor (and an init) passes on to the container's first process. */
void forward_signals(sigset_t *set)
{
	static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGCONT, SIGTSTP};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(set, sigs[i]);
}

struct launch {
	int sync[2], err[2], pty_sock[2];
	int child_stdio[3]; /* the ends the container gets */
};

static _Noreturn void setup_failed(struct monitor *m, const char *step, int err, const char *path)
{
	report_error(step, err, path);
	if (m->pid > 0) {
		kill(m->pid, SIGKILL);
		while (waitpid(m->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	/* An exit record even though nothing ran, so no container is ever left looking "running". */
	finish(m, 127, 0, 0);
}

static int cloexec_pipe(int fds[2])
{
	return pipe2(fds, O_CLOEXEC);
}

static void make_stdio(struct monitor *m, struct launch *l)
{
	const struct spec *s = m->spec;
	l->child_stdio[0] = l->child_stdio[1] = l->child_stdio[2] = -1;
	l->pty_sock[0] = l->pty_sock[1] = -1;
	if (s->terminal) {
		/* The pty is allocated inside the container's devpts (so `tty` names /dev/pts/N there); its master comes back over this socket. */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, l->pty_sock) != 0)
			setup_failed(m, "terminal", errno, "socketpair");
		return;
	}
	int p[2];
	if (s->stdin_open) {
		if (cloexec_pipe(p) != 0)
			setup_failed(m, "stdio", errno, "pipe");
		l->child_stdio[0] = p[0];
		m->in_fd = p[1];
	} else {
		/* Docker gives a process without -i /dev/null as its stdin. */
		if ((l->child_stdio[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
			setup_failed(m, "stdio", errno, "/dev/null");
	}
	if (cloexec_pipe(p) != 0)
		setup_failed(m, "stdio", errno, "pipe");
	m->out_fd = p[0];
	l->child_stdio[1] = p[1];
	if (cloexec_pipe(p) != 0)
		setup_failed(m, "stdio", errno, "pipe");
	m->err_fd = p[0];
	l->child_stdio[2] = p[1];
}

static unsigned long clone_flags(unsigned ns)
{
	unsigned long f = 0;
	if (ns & NS_MOUNT)
		f |= CLONE_NEWNS;
	if (ns & NS_PID)
		f |= CLONE_NEWPID;
	if (ns & NS_UTS)
		f |= CLONE_NEWUTS;
	if (ns & NS_IPC)
		f |= CLONE_NEWIPC;
	if (ns & NS_NET)
		f |= CLONE_NEWNET;
	/* No CLONE_NEWCGROUP here: the child unshares it after the monitor has placed it in its cgroups (setup.c). */
	return f;
}

/* fork(2) with namespace flags: the raw syscall, so the child carries on on this stack like fork. */
static pid_t clone_fork(unsigned long flags)
{
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0UL);
}

static void child_ctx_init(struct child_ctx *c, struct monitor *m, struct launch *l, const sigset_t *orig)
{
	c->spec = m->spec;
	c->sync_fd = l->sync[0];
	c->err_fd = l->err[1];
	for (int i = 0; i < 3; i++)
		c->stdio[i] = l->child_stdio[i];
	c->pty_sock = l->pty_sock[1];
	c->orig_mask = *orig;
	set_fail_fd(l->err[1]);
}

/*
 * Exec mode: a first child joins the namespaces (setns into a PID namespace only applies to
 * children), then clones the process that runs the command with CLONE_PARENT, so the monitor is
 * its parent and can wait for it, as runc's nsexec does. The first child sends the second's pid
 * (host view) and exits.
 */
static pid_t spawn_exec_mode(struct monitor *m, struct child_ctx *ctx)
{
	int pidp[2];
	if (cloexec_pipe(pidp) != 0)
		setup_failed(m, "stdio", errno, "pipe");
	pid_t joiner = fork();
	if (joiner < 0)
		setup_failed(m, "fork", errno, "");
	if (joiner == 0) {
		close(pidp[0]);
		join_namespaces(ctx->spec->join_pid);
		pid_t pid = clone_fork(CLONE_PARENT);
		if (pid < 0)
			fail("fork", "");
		if (pid == 0)
			child_exec_mode(ctx);
		(void)!write(pidp[1], &pid, sizeof pid);
		_exit(0);
	}
	close(pidp[1]);
	pid_t pid = -1;
	ssize_t n;
	while ((n = read(pidp[0], &pid, sizeof pid)) < 0 && errno == EINTR)
		;
	close(pidp[0]);
	while (waitpid(joiner, NULL, 0) < 0 && errno == EINTR)
		;
	return n == (ssize_t)sizeof pid ? pid : -1;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Reads "step\0errno\0path\0" from the error pipe; returns 0 when it closed empty (exec happened). */
static int read_setup_error(int fd, char *step, size_t step_cap, int *err, char *path, size_t path_cap)
{
	char buf[8192];
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == sizeof buf - 1)
			break;
	}
	if (n == 0)
		return 0;
	buf[n] = '\0';
	const char *f[3] = {buf, "", ""};
	size_t at = strlen(buf) + 1;
	for (int i = 1; i < 3 && at < n; i++) {
		f[i] = buf + at;
		at += strlen(buf + at) + 1;
	}
	copy_str(step, step_cap, f[0]);
	*err = atoi(f[1]);
	copy_str(path, path_cap, f[2]);
	return 1;
}

static void write_cgroups(struct monitor *m)
{
	char pid[32];
	int len = snprintf(pid, sizeof pid, "%d\n", (int)m->pid);
	for (size_t i = 0; i < m->spec->cgroup_procs.len; i++) {
		const char *path = m->spec->cgroup_procs.items[i];
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write_all(fd, pid, (size_t)len) != 0) {
			int err = errno;
			if (fd >= 0)
				close(fd);
			setup_failed(m, "cgroup", err, path);
		}
		close(fd);
	}
}

int run_monitor(struct spec *spec)
{
	static struct monitor mon;
	struct monitor *m = &mon;
	memset(m, 0, sizeof *m);
	m->spec = spec;
	m->in_fd = m->out_fd = m->err_fd = m->log_fd = m->signal_fd = -1;
	m->pty = spec->terminal;

	/* Signals become readable on a signalfd: no work in handlers. The container restores this mask. */
	sigset_t set, orig;
	sigemptyset(&set);
	forward_signals(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, &orig);
	monitor_set_orig_mask(&orig);
	if ((m->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		setup_failed(m, "signals", errno, "signalfd");

	if (spec->log_path[0] != '\0' &&
	    (m->log_fd = open(spec->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) < 0)
		setup_failed(m, "log", errno, spec->log_path);

	struct launch l;
	make_stdio(m, &l);
	if (cloexec_pipe(l.sync) != 0 || cloexec_pipe(l.err) != 0)
		setup_failed(m, "stdio", errno, "pipe");

	struct child_ctx ctx;
	child_ctx_init(&ctx, m, &l, &orig);
	if (spec->join_pid > 0) {
		m->pid = spawn_exec_mode(m, &ctx);
	} else {
		m->pid = clone_fork(clone_flags(spec->namespaces));
		if (m->pid == 0)
			child_container(&ctx);
		if (m->pid < 0) {
			int err = errno;
			m->pid = 0;
			setup_failed(m, "clone", err, "");
		}
	}
	set_fail_fd(-1);
	close(l.sync[0]);
	close(l.err[1]);
	for (int i = 0; i < 3; i++)
		if (l.child_stdio[i] >= 0)
			close(l.child_stdio[i]);
	if (l.pty_sock[1] >= 0)
		close(l.pty_sock[1]);

	char step[64], path[4096];
	int err = 0;
	if (m->pid <= 0) {
		/* The exec-mode joiner failed before cloning: its error is in the pipe. */
		m->pid = 0;
		if (!read_setup_error(l.err[0], step, sizeof step, &err, path, sizeof path))
			copy_str(step, sizeof step, "fork"), err = ESRCH, path[0] = '\0';
		setup_failed(m, step, err, path);
	}

	write_cgroups(m);
	report_pid(m->pid, getpid());
	char go = 'g';
	if (write_all(l.sync[1], &go, 1) != 0)
		setup_failed(m, "sync", errno, "");
	close(l.sync[1]);

	if (m->pty) {
		/* -1 when the child failed before sending the master: its error is in the pipe. */
		m->out_fd = receive_fd(l.pty_sock[0]);
		close(l.pty_sock[0]);
		if (m->out_fd >= 0 && spec->stdin_open)
			m->in_fd = m->out_fd;
	}
	if (read_setup_error(l.err[0], step, sizeof step, &err, path, sizeof path))
		setup_failed(m, step, err, path);
	close(l.err[0]);
	if (m->pty && m->out_fd < 0)
		setup_failed(m, "terminal", EIO, "/dev/ptmx");

	report_started();
	if (spec->detach)
		report_close();
	relay(m);
	finish(m, m->exit_code, m->exit_signal, 1);
}
