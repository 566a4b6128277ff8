/*
 * Reports to lade: JSON lines on fd 4 (SandboxReport in src/executor/sandbox-spec.ts; the pid
 * report also carries the monitor's pid). Only the monitor writes them.
 */
#include "sandbox.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int report_fd = -1;

void report_init(void)
{
	if (fcntl(REPORT_FD, F_SETFD, FD_CLOEXEC) == 0)
		report_fd = REPORT_FD;
}

void report_close(void)
{
	if (report_fd >= 0)
		close(report_fd);
	report_fd = -1;
}

static void report_line(const char *line, size_t len)
{
	if (report_fd < 0)
		return;
	/* A reader that went away (lade killed) must not stop the monitor: drop the pipe and carry on. */
	if (write_all(report_fd, line, len) != 0)
		report_close();
}

void report_pid(pid_t pid, pid_t monitor_pid)
{
	char line[96];
	int n = snprintf(line, sizeof line, "{\"type\":\"pid\",\"pid\":%d,\"monitorPid\":%d}\n", (int)pid, (int)monitor_pid);
	report_line(line, (size_t)n);
}

void report_started(void)
{
	static const char line[] = "{\"type\":\"started\"}\n";
	report_line(line, sizeof line - 1);
}

void report_exit(int exit_code, int signal)
{
	char line[96];
	int n = snprintf(line, sizeof line, "{\"type\":\"exit\",\"exitCode\":%d,\"signal\":%d}\n", exit_code, signal);
	report_line(line, (size_t)n);
}

/* JSON string body: quotes, backslashes and control bytes escaped; other bytes passed through. */
static size_t json_escape(char *out, size_t cap, const char *s)
{
	size_t n = 0;
	for (; *s != '\0' && n + 7 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			out[n++] = '\\';
			out[n++] = (char)ch;
		} else if (ch < 0x20) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", ch);
		} else {
			out[n++] = (char)ch;
		}
	}
	out[n] = '\0';
	return n;
}

void report_error(const char *step, int err, const char *path)
{
	static char line[6 * 4096 + 256];
	char esc_step[256];
	static char esc_path[6 * 4096 + 8];
	json_escape(esc_step, sizeof esc_step, step);
	json_escape(esc_path, sizeof esc_path, path);
	int n = snprintf(line, sizeof line, "{\"type\":\"error\",\"step\":\"%s\",\"errno\":%d,\"path\":\"%s\"}\n", esc_step, err, esc_path);
	if (n > 0 && (size_t)n < sizeof line)
		report_line(line, (size_t)n);
}
