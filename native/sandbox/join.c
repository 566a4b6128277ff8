/*
 * Exec mode: join the namespaces of a running container's process through /proc/<pid>/ns. Every
 * fd is opened before the first setns (after joining the mount namespace /proc is the
 * container's), namespaces the monitor already shares are skipped (setns to one's own mount
 * namespace would reset the root), and the mount namespace is joined last.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

void join_namespaces(pid_t pid)
{
	static const struct {
		const char *name;
		int type;
	} kinds[] = {
		{"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
		{"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS},
	};
	enum { N = sizeof kinds / sizeof kinds[0] };
	int fds[N];
	char paths[N][64];
	for (int i = 0; i < N; i++) {
		char own[64];
		snprintf(paths[i], sizeof paths[i], "/proc/%d/ns/%s", (int)pid, kinds[i].name);
		snprintf(own, sizeof own, "/proc/self/ns/%s", kinds[i].name);
		fds[i] = open(paths[i], O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			fail("setns", paths[i]);
		struct stat theirs, mine;
		if (fstat(fds[i], &theirs) != 0)
			fail("setns", paths[i]);
		if (stat(own, &mine) == 0 && mine.st_dev == theirs.st_dev && mine.st_ino == theirs.st_ino) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
	for (int i = 0; i < N; i++) {
		if (fds[i] < 0)
			continue;
		if (setns(fds[i], kinds[i].type) != 0)
			fail("setns", paths[i]);
		close(fds[i]);
	}
	/* setns into a mount namespace puts us at its root; be explicit about the working directory too. */
	if (chdir("/") != 0)
		fail("setns", "/");
}
