/*
 * The end of a monitor: the exit record written atomically, the "exit" report, the terminal
 * restored, then either the spec's onExit program (cleanup for --rm) or exit with the status.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static sigset_t orig_mask;

void monitor_set_orig_mask(const sigset_t *mask)
{
	orig_mask = *mask;
}

static void format_time(char *out, size_t cap)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char date[32];
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, cap, "%s.%09ldZ", date, (long)ts.tv_nsec);
}

static void fsync_dir_of(const char *path)
{
	char copy[4096];
	snprintf(copy, sizeof copy, "%s", path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* tmp + fsync + rename: a reader sees no record or a whole one, even across a crash. */
static int write_exit_record(const char *path, int exit_code, int sig)
{
	char when[64], record[160], tmp[4096];
	format_time(when, sizeof when);
	int n = snprintf(record, sizeof record, "{\"exitCode\":%d,\"signal\":%d,\"finishedAt\":\"%s\"}\n", exit_code, sig, when);
	if (snprintf(tmp, sizeof tmp, "%s.tmp-%d", path, (int)getpid()) >= (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write_all(fd, record, (size_t)n) != 0 || fsync(fd) != 0) {
		int err = errno;
		close(fd);
		unlink(tmp);
		errno = err;
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		int err = errno;
		unlink(tmp);
		errno = err;
		return -1;
	}
	fsync_dir_of(path);
	return 0;
}

_Noreturn void finish(struct monitor *m, int exit_code, int sig, int report)
{
	const struct spec *s = m->spec;
	terminal_restore();
	if (s->exit_path[0] != '\0' && write_exit_record(s->exit_path, exit_code, sig) != 0) {
		/* Nobody else can tell: the caller reads the record. stderr is /dev/null when detached. */
		fprintf(stderr, "lade-sandbox: cannot write the exit record %s: %s\n", s->exit_path, strerror(errno));
	}
	if (report)
		report_exit(exit_code, sig);
	report_close();
	if (m->log_fd >= 0)
		close(m->log_fd);
	if (s->on_exit.len > 0) {
		/* The cleanup program gets a normal process: default SIGPIPE, nothing blocked. */
		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, &orig_mask, NULL);
		execvp(s->on_exit.items[0], s->on_exit.items);
		fprintf(stderr, "lade-sandbox: cannot run %s: %s\n", s->on_exit.items[0], strerror(errno));
	}
	exit(exit_code);
}
