/*
 * The container side, in the fixed order of the contract (src/executor/sandbox-spec.ts): wait
 * for the monitor's go (it has placed us in our cgroups), stdio, rootfs and mounts, terminal,
 * hostname, loopback, rlimits, working directory, credentials, no_new_privs, exec. Every failing
 * call ends in fail(), which the monitor turns into {"type":"error", step, errno, path}.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail_fd = -1;

void set_fail_fd(int fd)
{
	fail_fd = fd;
}

_Noreturn void fail(const char *step, const char *path)
{
	int err = errno;
	char msg[8192];
	int n = snprintf(msg, sizeof msg, "%s%c%d%c%s", step, 0, err, 0, path);
	if (n >= (int)sizeof msg)
		n = (int)sizeof msg - 1;
	if (fail_fd >= 0)
		write_all(fail_fd, msg, (size_t)n + 1);
	_exit(127);
}

void wait_for_go(int sync_fd)
{
	char go;
	ssize_t n;
	while ((n = read(sync_fd, &go, 1)) < 0 && errno == EINTR)
		;
	/* No byte: the monitor gave up (cgroup placement failed) or died; do nothing. */
	if (n != 1)
		_exit(127);
	close(sync_fd);
}

static void setup_stdio(struct child_ctx *ctx)
{
	for (int i = 0; i < 3; i++) {
		if (ctx->stdio[i] < 0)
			continue;
		/* dup2 clears close-on-exec on the copy; main.c made sure no pipe sits on 0–2 already. */
		if (dup2(ctx->stdio[i], i) < 0)
			fail("stdio", "");
		close(ctx->stdio[i]);
	}
}

static void set_oom_score_adj(const struct spec *s)
{
	if (!s->has_oom_score_adj)
		return;
	char value[16];
	int n = snprintf(value, sizeof value, "%d", s->oom_score_adj);
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write_all(fd, value, (size_t)n) != 0)
		fail("oom_score_adj", "/proc/self/oom_score_adj");
	close(fd);
}

static void set_hostname(const struct spec *s)
{
	if (s->hostname[0] == '\0')
		return;
	/* Without a UTS namespace of its own this would rename the host. */
	if (!(s->namespaces & NS_UTS)) {
		errno = EINVAL;
		fail("sethostname", s->hostname);
	}
	if (sethostname(s->hostname, strlen(s->hostname)) != 0)
		fail("sethostname", s->hostname);
}

static void loopback_up(const struct spec *s)
{
	if (!s->loopback_up)
		return;
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		fail("loopback", "lo");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0)
		fail("loopback", "lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) != 0)
		fail("loopback", "lo");
	close(sock);
}

/* Docker creates a missing working directory (as root, mode 0755) before switching user. */
static void make_cwd(const char *cwd)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s", cwd) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		fail("chdir", cwd);
	}
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			fail("chdir", path);
		*p = saved;
		if (saved == '\0')
			break;
	}
}

/* Only the error pipe (close-on-exec) survives into the command: no monitor fd leaks in. */
static void close_other_fds(int keep)
{
	if (keep > 3)
		close_range(3, (unsigned)keep - 1, 0);
	close_range(keep >= 3 ? (unsigned)keep + 1 : 3, ~0U, 0);
}

static void finish_and_exec(struct child_ctx *ctx, int exec_mode)
{
	const struct spec *s = ctx->spec;
	apply_rlimits(s);
	if (!exec_mode && s->cwd[0] != '\0')
		make_cwd(s->cwd);
	apply_credentials(s);
	if (s->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		fail("no_new_privs", "");
	if (s->cwd[0] != '\0' && chdir(s->cwd) != 0)
		fail("chdir", s->cwd);
	/* Setup is over: the container outlives its monitor, as with Docker's shim. */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	close_other_fds(ctx->err_fd);
	if (s->init)
		run_init(s, ctx->err_fd, &ctx->orig_mask);
	exec_command(s, &ctx->orig_mask);
}

_Noreturn void child_container(struct child_ctx *ctx)
{
	const struct spec *s = ctx->spec;
	/* Until setup ends, a dead monitor means nobody will ever relay or record us. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	umask(022);
	wait_for_go(ctx->sync_fd);
	/*
	 * Only now, inside its cgroups, does the process get its cgroup namespace, so the namespace's
	 * root is the container's cgroup and /proc/self/cgroup shows "/" (runc's order too).
	 */
	if ((s->namespaces & NS_CGROUP) && unshare(CLONE_NEWCGROUP) != 0)
		fail("unshare", "cgroup");
	setup_stdio(ctx);
	if (s->rootfs_path[0] != '\0')
		setup_rootfs(s); /* mounts, devices, symlinks, oom_score_adj, pivot_root, masks, read-only paths */
	else
		set_oom_score_adj(s);
	if (s->terminal)
		child_open_terminal(ctx->pty_sock);
	set_hostname(s);
	loopback_up(s);
	finish_and_exec(ctx, 0);
	_exit(127);
}

_Noreturn void child_exec_mode(struct child_ctx *ctx)
{
	const struct spec *s = ctx->spec;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	umask(022);
	wait_for_go(ctx->sync_fd);
	setup_stdio(ctx);
	set_oom_score_adj(s);
	if (s->terminal)
		child_open_terminal(ctx->pty_sock);
	finish_and_exec(ctx, 1);
	_exit(127);
}

void apply_oom_score_adj(const struct spec *s)
{
	set_oom_score_adj(s);
}

static const char *env_path(const struct spec *s)
{
	for (size_t i = 0; i < s->env.len; i++)
		if (strncmp(s->env.items[i], "PATH=", 5) == 0)
			return s->env.items[i] + 5;
	/* Docker's default when the image sets none. */
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* execvpe's lookup, but on the container's PATH from the spec (not the helper's) and without the ENOEXEC shell fallback. */
_Noreturn void exec_command(const struct spec *s, const sigset_t *orig_mask)
{
	char *const *argv = s->args.items;
	char *const *envp = s->env.items;
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, orig_mask, NULL);
	if (strchr(argv[0], '/') != NULL) {
		execve(argv[0], argv, envp);
		fail("exec", argv[0]);
	}
	const char *path = env_path(s);
	int saw_eacces = 0;
	char full[4096];
	for (const char *p = path;; ) {
		const char *colon = strchrnul(p, ':');
		size_t dlen = (size_t)(colon - p);
		/* An empty PATH entry means the working directory, as in execvp. */
		int n = dlen == 0 ? snprintf(full, sizeof full, "%s", argv[0])
				  : snprintf(full, sizeof full, "%.*s/%s", (int)dlen, p, argv[0]);
		if (n < (int)sizeof full) {
			execve(full, argv, envp);
			if (errno == EACCES)
				saw_eacces = 1;
			else if (errno != ENOENT && errno != ENOTDIR)
				fail("exec", argv[0]);
		}
		if (*colon == '\0')
			break;
		p = colon + 1;
	}
	errno = saw_eacces ? EACCES : ENOENT;
	fail("exec", argv[0]);
}
