/*
 * Device nodes and symlinks inside the rootfs (before pivot_root, parents resolved in the root),
 * and the hiding steps after it: masked paths and read-only paths, which need the container's
 * own /proc and /dev/null.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Splits an absolute path into its parent, opened (and created) inside the root, and its last name. */
static int open_parent(int root_fd, const char *path, char *name, size_t name_cap, const char *step)
{
	char dir[4096], base[4096];
	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
		errno = ENAMETOOLONG;
		fail(step, path);
	}
	snprintf(base, sizeof base, "%s", path);
	const char *b = basename(base);
	if (b[0] == '\0' || strcmp(b, "/") == 0 || strcmp(b, ".") == 0 || strcmp(b, "..") == 0 ||
	    snprintf(name, name_cap, "%s", b) >= (int)name_cap) {
		errno = EINVAL;
		fail(step, path);
	}
	return open_in_root(root_fd, dirname(dir), CREATE_DIR, step);
}

void create_devices(const struct spec *s, int root_fd)
{
	for (size_t i = 0; i < s->devices.len; i++) {
		const struct device_spec *d = &s->devices.items[i];
		char name[256];
		int dir = open_parent(root_fd, d->path, name, sizeof name, "mknod");
		mode_t type = d->kind == 'b' ? S_IFBLK : S_IFCHR;
		/* An existing node is kept, as runc does (an image may ship /dev entries). */
		if (mknodat(dir, name, type | d->mode, makedev(d->major, d->minor)) != 0 && errno != EEXIST)
			fail("mknod", d->path);
		int node = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (node < 0)
			fail("mknod", d->path);
		struct stat st;
		if (fstat(node, &st) != 0)
			fail("mknod", d->path);
		/* Never chmod through a symlink an image put there. */
		if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			char proc[64];
			snprintf(proc, sizeof proc, "/proc/self/fd/%d", node);
			/* mknod's mode went through the umask; the spec's bits are exact. */
			if (chmod(proc, d->mode) != 0)
				fail("mknod", d->path);
			if (fchownat(node, "", d->uid, d->gid, AT_EMPTY_PATH) != 0)
				fail("mknod", d->path);
		}
		close(node);
		close(dir);
	}
}

void create_symlinks(const struct spec *s, int root_fd)
{
	for (size_t i = 0; i < s->symlinks.len; i++) {
		const struct symlink_spec *l = &s->symlinks.items[i];
		char name[256];
		int dir = open_parent(root_fd, l->path, name, sizeof name, "symlink");
		if (symlinkat(l->target, dir, name) != 0 && errno != EEXIST)
			fail("symlink", l->path);
		close(dir);
	}
}

/* The flags a bind remount must repeat so it does not silently clear nosuid/nodev/noexec. */
unsigned long mount_flags_of(const char *path)
{
	struct statvfs st;
	if (statvfs(path, &st) != 0)
		return 0;
	unsigned long f = 0;
	if (st.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (st.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (st.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	return f;
}

void mask_paths(const struct spec *s)
{
	for (size_t i = 0; i < s->masked_paths.len; i++) {
		const char *p = s->masked_paths.items[i];
		struct stat st;
		if (stat(p, &st) != 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			fail("mask", p);
		}
		int rc = S_ISDIR(st.st_mode) ? mount("tmpfs", p, "tmpfs", MS_RDONLY, NULL)
					     : mount("/dev/null", p, NULL, MS_BIND, NULL);
		if (rc != 0)
			fail("mask", p);
	}
}

void readonly_paths(const struct spec *s)
{
	for (size_t i = 0; i < s->readonly_paths.len; i++) {
		const char *p = s->readonly_paths.items[i];
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) != 0) {
			if (errno == ENOENT)
				continue;
			fail("readonly", p);
		}
		if (mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags_of(p), NULL) != 0)
			fail("readonly", p);
	}
}
