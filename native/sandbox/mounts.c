/*
 * The rootfs: / made recursively private (nothing we mount propagates to the host), the rootfs
 * mounts at rootfsPath, each spec mount at its destination resolved inside the rootfs with
 * openat2(RESOLVE_IN_ROOT) (a symlink in an image cannot point a mount at a host path), devices
 * and symlinks, then pivot_root and the steps that need the container's own /proc.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int openat2_path(int dirfd, const char *path)
{
	struct open_how how;
	memset(&how, 0, sizeof how);
	how.flags = O_PATH | O_CLOEXEC;
	/* Magic links (/proc/self/root, …) would leave the root whatever RESOLVE_IN_ROOT says. */
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	long fd;
	do
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
	while (fd < 0 && errno == EAGAIN); /* the kernel asks for a retry when a rename raced the lookup */
	return (int)fd;
}

/*
 * A dangling symlink met while creating: carry on at its target (inside the root, as everything
 * here), as runc does for an image's `/etc/resolv.conf -> ../run/…`. `dir` is the path of the
 * link's directory, `rest` what followed the link in the original path.
 */
static int follow_dangling(int root_fd, int parent, const char *dir, const char *name, const char *rest,
			   enum create_kind create, const char *step, const char *display, int depth);

static int resolve_create(int root_fd, const char *path, enum create_kind create, const char *step,
			  const char *display, int depth)
{
	int fd = openat2_path(root_fd, path);
	if (fd >= 0 || errno != ENOENT || create == CREATE_NONE) {
		if (fd < 0)
			fail(step, display);
		return fd;
	}
	char buf[4096];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
		errno = ENAMETOOLONG;
		fail(step, display);
	}
	int parent = fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
	if (parent < 0)
		fail(step, display);
	char *p = buf;
	while (*p == '/')
		p++;
	while (*p != '\0') {
		char *end = strchrnul(p, '/');
		char saved = *end;
		*end = '\0';
		int last = saved == '\0' || end[1 + strspn(end + 1, "/")] == '\0';
		const char *name = p;
		fd = openat2_path(root_fd, buf);
		if (fd < 0 && errno == ENOENT) {
			int made;
			if (last && create == CREATE_FILE) {
				int f = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
				made = f >= 0;
				if (f >= 0)
					close(f);
			} else {
				made = mkdirat(parent, name, 0755) == 0;
			}
			if (!made && errno != EEXIST)
				fail(step, display);
			if (!made) {
				/* It exists yet does not resolve: a dangling symlink. */
				char dir[4096];
				snprintf(dir, sizeof dir, "%.*s", (int)(p - buf), buf);
				int r = follow_dangling(root_fd, parent, dir, name, saved == '\0' ? "" : end + 1, create, step, display, depth);
				close(parent);
				return r;
			}
			fd = openat2_path(root_fd, buf);
		}
		if (fd < 0)
			fail(step, display);
		close(parent);
		parent = fd;
		*end = saved;
		p = end;
		while (*p == '/')
			p++;
	}
	return parent;
}

static int follow_dangling(int root_fd, int parent, const char *dir, const char *name, const char *rest,
			   enum create_kind create, const char *step, const char *display, int depth)
{
	char link[4096], next[4096];
	ssize_t n = readlinkat(parent, name, link, sizeof link - 1);
	if (n < 0 || depth >= 40) {
		errno = n < 0 ? ENOENT : ELOOP;
		fail(step, display);
	}
	link[n] = '\0';
	/* Relative targets are relative to the link's directory; ".." is clamped at the root by openat2. */
	int len = link[0] == '/' ? snprintf(next, sizeof next, "%s/%s", link, rest)
				 : snprintf(next, sizeof next, "/%s/%s/%s", dir, link, rest);
	if (len >= (int)sizeof next) {
		errno = ENAMETOOLONG;
		fail(step, display);
	}
	return resolve_create(root_fd, next, create, step, display, depth + 1);
}

/*
 * An O_PATH fd for `path` resolved inside root_fd. Missing components are created (directories
 * 0755; the last one a directory or an empty file per `create`) one name at a time under an
 * already resolved parent, so creation cannot escape either.
 */
int open_in_root(int root_fd, const char *path, enum create_kind create, const char *step)
{
	return resolve_create(root_fd, path, create, step, path, 0);
}

/* Where a mount(2) goes: a host path (the rootfs itself) or a destination resolved in the rootfs. */
struct target {
	int root_fd; /* -1: `path` is a host path */
	const char *path;
	char proc[64];
	int fd;
};

static const char *target_resolve(struct target *t, enum create_kind create, const char *step)
{
	if (t->root_fd < 0)
		return t->path;
	if (t->fd >= 0)
		close(t->fd);
	t->fd = open_in_root(t->root_fd, t->path, create, step);
	snprintf(t->proc, sizeof t->proc, "/proc/self/fd/%d", t->fd);
	return t->proc;
}

static void do_mount(const struct mount_spec *m, struct target *t, const char *step)
{
	const unsigned long bind_only = MS_BIND | MS_REC;
	const char *dest = target_resolve(t, m->create, step);
	if (m->cwd[0] != '\0' && chdir(m->cwd) != 0)
		fail(step, m->cwd);
	if (m->flags & MS_BIND) {
		/* Open the source first: a missing bind source is reported as itself, not as the destination. */
		int src = open(m->source, O_PATH | O_CLOEXEC);
		if (src < 0)
			fail(step, m->source);
		char src_path[64];
		snprintf(src_path, sizeof src_path, "/proc/self/fd/%d", src);
		if (mount(src_path, dest, NULL, m->flags & bind_only, NULL) != 0)
			fail(step, t->path);
		close(src);
		/* The first bind ignores every other flag: apply them with a remount of the new mount. */
		if (m->flags & ~bind_only) {
			dest = target_resolve(t, CREATE_NONE, step);
			if (mount(NULL, dest, NULL, (m->flags & ~MS_REC) | MS_BIND | MS_REMOUNT, NULL) != 0)
				fail(step, t->path);
		}
	} else if (mount(m->source, dest, m->type, m->flags, m->data[0] != '\0' ? m->data : NULL) != 0) {
		fail(step, t->path);
	}
	if (m->propagation) {
		/* The new mount now covers the destination: resolve it again to reach it rather than what is under it. */
		dest = target_resolve(t, CREATE_NONE, step);
		if (mount(NULL, dest, NULL, m->propagation, NULL) != 0)
			fail(step, t->path);
	}
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

/* runc's trick: pivot_root(".", ".") stacks the old root on the new one, and a lazy unmount of "." drops it. */
void pivot_into(const char *rootfs)
{
	if (chdir(rootfs) != 0)
		fail("pivot_root", rootfs);
	if (syscall(SYS_pivot_root, ".", ".") != 0)
		fail("pivot_root", rootfs);
	if (umount2(".", MNT_DETACH) != 0)
		fail("pivot_root", "/");
	if (chdir("/") != 0)
		fail("pivot_root", "/");
}

static void rootfs_readonly(const struct spec *s)
{
	if (!s->rootfs_readonly)
		return;
	if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags_of("/"), NULL) != 0)
		fail("readonly", "/");
}

void setup_rootfs(const struct spec *s)
{
	/* Refuse to mount on the host: every step below belongs in a new mount namespace. */
	if (!(s->namespaces & NS_MOUNT)) {
		errno = EINVAL;
		fail("mount-rootfs", s->rootfs_path);
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		fail("mount-rootfs", "/");
	for (size_t i = 0; i < s->rootfs_mounts.len; i++) {
		struct target t = {.root_fd = -1, .path = s->rootfs_path, .fd = -1};
		do_mount(&s->rootfs_mounts.items[i], &t, "mount-rootfs");
	}
	int root_fd = open(s->rootfs_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		fail("mount-rootfs", s->rootfs_path);
	for (size_t i = 0; i < s->mounts.len; i++) {
		const struct mount_spec *m = &s->mounts.items[i];
		struct target t = {.root_fd = root_fd, .path = m->destination, .fd = -1};
		do_mount(m, &t, "mount");
	}
	create_devices(s, root_fd);
	create_symlinks(s, root_fd);
	close(root_fd);
	apply_oom_score_adj(s);
	pivot_into(s->rootfs_path);
	mask_paths(s);
	readonly_paths(s);
	rootfs_readonly(s);
}
