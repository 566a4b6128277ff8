/* mount(2), umount2(2) and syncfs(2) for lade_sys (see lade_sys.c for the conventions). */
#include "napi_util.h"


#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

/* mount(2) with its relative paths (overlay's lowerdir=12/fs:11/fs) resolved against `cwd`.
 * The call runs on a short-lived thread that first unshares its filesystem context
 * (unshare(CLONE_FS): its own cwd, nothing else): a chdir on Node's main thread would change
 * the cwd of libuv's worker threads too, under any fs call they are making with a relative
 * path. The mount namespace is not part of CLONE_FS, so the mount lands where it would have. */
struct mount_call {
  const char *source, *target, *fstype, *data, *cwd;
  unsigned long flags;
  int err;
  const char *failed; /* the syscall that failed */
};

static void *mount_thread(void *arg) {
  struct mount_call *c = arg;
  c->err = 0;
  if (c->cwd[0] != '\0') {
    if (unshare(CLONE_FS) != 0) {
      c->err = errno;
      c->failed = "unshare";
      return NULL;
    }
    if (chdir(c->cwd) != 0) {
      c->err = errno;
      c->failed = "chdir";
      return NULL;
    }
  }
  if (mount(c->source, c->target, c->fstype, c->flags, c->data[0] == '\0' ? NULL : c->data) != 0) {
    c->err = errno;
    c->failed = "mount";
  }
  return NULL;
}

napi_value js_mount(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!get_args(env, info, 6, argv)) return NULL;
  uint32_t flags;
  if (!get_uint32(env, argv[3], "flags", &flags)) return NULL;
  static const char *const what[] = {"source", "target", "fstype", NULL, "data", "cwd"};
  char *str[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
  for (int i = 0; i < 6; i++) {
    if (i == 3) continue;
    str[i] = get_string(env, argv[i], what[i]);
    if (str[i] == NULL) {
      for (int j = 0; j < i; j++) free(str[j]);
      return NULL;
    }
  }
  struct mount_call call = {str[0], str[1], str[2], str[4], str[5], flags, 0, "mount"};
  pthread_t thread;
  int rc = pthread_create(&thread, NULL, mount_thread, &call);
  if (rc != 0) {
    call.err = rc;
    call.failed = "pthread_create";
  } else {
    pthread_join(thread, NULL);
  }
  if (call.err != 0) throw_errno(env, call.err, call.failed, strcmp(call.failed, "chdir") == 0 ? call.cwd : call.target);
  for (int i = 0; i < 6; i++) free(str[i]);
  return NULL;
}

napi_value js_umount(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  uint32_t flags;
  if (!get_uint32(env, argv[1], "flags", &flags)) return NULL;
  char *target = get_string(env, argv[0], "target");
  if (target == NULL) return NULL;
  if (umount2(target, (int)flags) != 0) throw_errno(env, errno, "umount2", target);
  free(target);
  return NULL;
}

napi_value js_syncfs(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  char *path = get_string(env, argv[0], "path");
  if (path == NULL) return NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    throw_errno(env, errno, "open", path);
  } else {
    if (syncfs(fd) != 0) throw_errno(env, errno, "syncfs", path);
    close(fd);
  }
  free(path);
  return NULL;
}
