/*
 * `--init`: the helper stays PID 1 of the container (Docker runs tini there). It forks the
 * command, passes on every signal it is sent, reaps every zombie (orphans are reparented to PID 1),
 * and exits with the command's status, 128+N for a signal, which also ends the PID namespace.
 */
#include "sandbox.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

_Noreturn void run_init(const struct spec *s, int err_fd, const sigset_t *orig_mask)
{
	sigset_t set;
	sigemptyset(&set);
	forward_signals(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTTOU);
	sigaddset(&set, SIGTTIN);
	sigprocmask(SIG_BLOCK, &set, NULL);

	pid_t cmd = fork();
	if (cmd < 0)
		fail("init", "fork");
	if (cmd == 0) {
		if (s->terminal) {
			/* Its own process group in the foreground, so ^C reaches the command and not PID 1 too. */
			setpgid(0, 0);
			tcsetpgrp(0, getpid());
		}
		/* The error pipe now belongs to this process: the monitor hears "started" only when the command was exec'd. */
		exec_command(s, orig_mask);
	}
	close(err_fd);
	sigdelset(&set, SIGTTOU);
	sigdelset(&set, SIGTTIN);
	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&set, &info);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(cmd, sig);
			continue;
		}
		int status;
		pid_t p;
		while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
			if (p != cmd)
				continue;
			_exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
		}
	}
}
