/*
 * lade_sys: the few Linux system calls Node's fs lacks — mknod(2), the l*xattr(2) family, flock(2),
 * mount(2), umount2(2) and syncfs(2).
 *
 * Each export performs exactly one call and reports failure the way Node's fs does: an Error
 * whose message is "CODE: description, syscall 'path'" with `errno` (negative, as libuv reports
 * it), `code`, `syscall` and `path`. Every decision (which node to create, which attributes to
 * copy, which errors to tolerate) is made in TypeScript (src/sys, src/layer).
 *
 * Exports:
 *   mknod(path: string, mode: number, major: number, minor: number): undefined
 *   lsetxattr(path: string, name: string, value: Uint8Array): undefined
 *   lgetxattr(path: string, name: string): Buffer | undefined   (undefined when absent)
 *   llistxattr(path: string): string[]
 *   lremovexattr(path: string, name: string): undefined
 *   tryflock(fd: number, exclusive: boolean): boolean   (false when another holder has it)
 *   mount(source: string, target: string, fstype: string, flags: number, data: string, cwd: string): undefined
 *   umount(target: string, flags: number): undefined
 *   syncfs(path: string): undefined   (syncs the filesystem holding path)
 */
#define NAPI_VERSION 8
#include <node_api.h>

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

/* A value can change size between the sizing call and the reading call (ERANGE); retry a few
 * times, then report the ERANGE. */
#define XATTR_RETRIES 8

static const char *errno_name(int err) {
  /* One number, two names on Linux; Node (libuv) reports ENOTSUP. */
  if (err == EOPNOTSUPP) return "ENOTSUP";
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char *name = strerrorname_np(err);
  if (name != NULL) return name;
#endif
  switch (err) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EIO: return "EIO";
    case E2BIG: return "E2BIG";
    case EBADF: return "EBADF";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EINVAL: return "EINVAL";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case EROFS: return "EROFS";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ELOOP: return "ELOOP";
    case ENODATA: return "ENODATA";
    case EDQUOT: return "EDQUOT";
    case EBUSY: return "EBUSY";
    case ENODEV: return "ENODEV";
    case ENXIO: return "ENXIO";
    case ENOTBLK: return "ENOTBLK";
    default: return "UNKNOWN";
  }
}

/* Throws the Node-style system error described in the header comment. */
static void throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  char desc_buf[256];
  const char *desc = strerror_r(err, desc_buf, sizeof desc_buf);
  const char *code = errno_name(err);
  size_t len = strlen(code) + strlen(desc) + strlen(syscall) + strlen(path) + 16;
  char *msg = malloc(len);
  if (msg == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory while reporting a system error");
    return;
  }
  snprintf(msg, len, "%s: %s, %s '%s'", code, desc, syscall, path);

  napi_value js_code, js_msg, error, js_errno, js_syscall, js_path;
  int ok = napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &js_code) == napi_ok &&
           napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &js_msg) == napi_ok &&
           napi_create_error(env, js_code, js_msg, &error) == napi_ok &&
           napi_create_int32(env, -err, &js_errno) == napi_ok &&
           napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &js_syscall) == napi_ok &&
           napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &js_path) == napi_ok &&
           napi_set_named_property(env, error, "errno", js_errno) == napi_ok &&
           napi_set_named_property(env, error, "syscall", js_syscall) == napi_ok &&
           napi_set_named_property(env, error, "path", js_path) == napi_ok;
  if (ok) napi_throw(env, error);
  else napi_throw_error(env, code, msg);
  free(msg);
}

static void throw_type_error(napi_env env, const char *code, const char *msg) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_type_error(env, code, msg);
}

/* Reports a failed N-API call unless it already left an exception behind. */
static void throw_napi_failure(napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  napi_throw_error(env, NULL, info != NULL && info->error_message != NULL ? info->error_message : "N-API call failed");
}

/* Reads a JS string argument as a NUL-terminated UTF-8 copy (caller frees). A string with an
 * embedded NUL would silently name a different file in C, so it is refused, as Node's fs does. */
static char *get_string(napi_env env, napi_value value, const char *what) {
  size_t len = 0;
  napi_status status = napi_get_value_string_utf8(env, value, NULL, 0, &len);
  if (status == napi_string_expected) {
    char msg[96];
    snprintf(msg, sizeof msg, "The \"%s\" argument must be of type string", what);
    throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return NULL;
  }
  if (status != napi_ok) {
    throw_napi_failure(env);
    return NULL;
  }
  char *buf = malloc(len + 1);
  if (buf == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  if (napi_get_value_string_utf8(env, value, buf, len + 1, &len) != napi_ok) {
    free(buf);
    throw_napi_failure(env);
    return NULL;
  }
  if (strlen(buf) != len) {
    char msg[96];
    snprintf(msg, sizeof msg, "The \"%s\" argument must not contain null bytes", what);
    free(buf);
    throw_type_error(env, "ERR_INVALID_ARG_VALUE", msg);
    return NULL;
  }
  return buf;
}

static int get_uint32(napi_env env, napi_value value, const char *what, uint32_t *out) {
  napi_status status = napi_get_value_uint32(env, value, out);
  if (status == napi_number_expected) {
    char msg[96];
    snprintf(msg, sizeof msg, "The \"%s\" argument must be of type number", what);
    throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return 0;
  }
  if (status != napi_ok) {
    throw_napi_failure(env);
    return 0;
  }
  return 1;
}

/* Fetches exactly `want` arguments; fewer is a TypeError. */
static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    throw_napi_failure(env);
    return 0;
  }
  if (argc < want) {
    throw_type_error(env, "ERR_MISSING_ARGS", "missing arguments");
    return 0;
  }
  return 1;
}

/* argv[0] as the path and argv[1] as an attribute name, both freshly allocated; on failure a JS
 * exception is pending and nothing is left allocated. */
static int get_path_and_name(napi_env env, napi_value *argv, char **path, char **name) {
  *path = get_string(env, argv[0], "path");
  if (*path == NULL) return 0;
  *name = get_string(env, argv[1], "name");
  if (*name == NULL) {
    free(*path);
    return 0;
  }
  return 1;
}

static napi_value js_mknod(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!get_args(env, info, 4, argv)) return NULL;
  uint32_t mode, major_no, minor_no;
  if (!get_uint32(env, argv[1], "mode", &mode) || !get_uint32(env, argv[2], "major", &major_no) ||
      !get_uint32(env, argv[3], "minor", &minor_no))
    return NULL;
  char *path = get_string(env, argv[0], "path");
  if (path == NULL) return NULL;
  if (mknod(path, (mode_t)mode, makedev(major_no, minor_no)) != 0) throw_errno(env, errno, "mknod", path);
  free(path);
  return NULL;
}

static napi_value js_lsetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return NULL;
  bool is_typed = false;
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, argv[2], &is_typed) != napi_ok ||
      (is_typed && napi_get_typedarray_info(env, argv[2], &type, &length, &data, NULL, NULL) != napi_ok)) {
    throw_napi_failure(env);
    return NULL;
  }
  if (!is_typed || type != napi_uint8_array) {
    throw_type_error(env, "ERR_INVALID_ARG_TYPE", "The \"value\" argument must be a Buffer or Uint8Array");
    return NULL;
  }
  char *path, *name;
  if (!get_path_and_name(env, argv, &path, &name)) return NULL;
  /* An empty value may come with a NULL data pointer; the kernel wants a valid one. */
  static const char empty = 0;
  if (lsetxattr(path, name, length == 0 ? &empty : data, length, 0) != 0) throw_errno(env, errno, "lsetxattr", path);
  free(name);
  free(path);
  return NULL;
}

static napi_value js_lgetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  char *path, *name;
  if (!get_path_and_name(env, argv, &path, &name)) return NULL;
  napi_value result = NULL;
  int err = ERANGE;
  for (int attempt = 0; attempt < XATTR_RETRIES; attempt++) {
    ssize_t size = lgetxattr(path, name, NULL, 0);
    if (size < 0) {
      err = errno;
      break;
    }
    char *buf = malloc(size > 0 ? (size_t)size : 1);
    if (buf == NULL) {
      err = ENOMEM;
      break;
    }
    ssize_t got = lgetxattr(path, name, buf, (size_t)size);
    if (got < 0) {
      err = errno;
      free(buf);
      if (err == ERANGE) continue;
      break;
    }
    if (napi_create_buffer_copy(env, (size_t)got, buf, NULL, &result) != napi_ok) throw_napi_failure(env);
    free(buf);
    err = 0;
    break;
  }
  if (err == ENODATA) napi_get_undefined(env, &result);
  else if (err != 0) throw_errno(env, err, "lgetxattr", path);
  free(name);
  free(path);
  return result;
}

/* The kernel returns names as one buffer of NUL-terminated strings. */
static napi_value names_to_array(napi_env env, const char *buf, size_t size) {
  napi_value array;
  if (napi_create_array(env, &array) != napi_ok) {
    throw_napi_failure(env);
    return NULL;
  }
  uint32_t index = 0;
  size_t pos = 0;
  while (pos < size) {
    size_t len = strnlen(buf + pos, size - pos);
    napi_value name;
    if (napi_create_string_utf8(env, buf + pos, len, &name) != napi_ok ||
        napi_set_element(env, array, index++, name) != napi_ok) {
      throw_napi_failure(env);
      return NULL;
    }
    pos += len + 1;
  }
  return array;
}

static napi_value js_llistxattr(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  char *path = get_string(env, argv[0], "path");
  if (path == NULL) return NULL;
  napi_value result = NULL;
  int err = ERANGE;
  for (int attempt = 0; attempt < XATTR_RETRIES; attempt++) {
    ssize_t size = llistxattr(path, NULL, 0);
    if (size < 0) {
      err = errno;
      break;
    }
    char *buf = malloc(size > 0 ? (size_t)size : 1);
    if (buf == NULL) {
      err = ENOMEM;
      break;
    }
    ssize_t got = llistxattr(path, buf, (size_t)size);
    if (got < 0) {
      err = errno;
      free(buf);
      if (err == ERANGE) continue;
      break;
    }
    result = names_to_array(env, buf, (size_t)got);
    free(buf);
    err = 0;
    break;
  }
  if (err != 0) throw_errno(env, err, "llistxattr", path);
  free(path);
  return result;
}

static napi_value js_lremovexattr(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  char *path, *name;
  if (!get_path_and_name(env, argv, &path, &name)) return NULL;
  if (lremovexattr(path, name) != 0) throw_errno(env, errno, "lremovexattr", path);
  free(name);
  free(path);
  return NULL;
}

/* flock(2) without blocking (a blocking call would stall Node's event loop): true when taken,
 * false when another open file description holds a conflicting lock. The lock goes with the
 * descriptor, so closing it (or the process dying) releases it. */
static napi_value js_tryflock(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  int32_t fd;
  bool exclusive;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    throw_type_error(env, "ERR_INVALID_ARG_TYPE", "fd must be a number");
    return NULL;
  }
  if (napi_get_value_bool(env, argv[1], &exclusive) != napi_ok) {
    throw_type_error(env, "ERR_INVALID_ARG_TYPE", "exclusive must be a boolean");
    return NULL;
  }
  int rc;
  do {
    rc = flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  napi_value result;
  if (rc != 0 && errno != EWOULDBLOCK) {
    throw_errno(env, errno, "flock", "");
    return NULL;
  }
  if (napi_get_boolean(env, rc == 0, &result) != napi_ok) return NULL;
  return result;
}

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

static napi_value js_mount(napi_env env, napi_callback_info info) {
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

static napi_value js_umount(napi_env env, napi_callback_info info) {
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

static napi_value js_syncfs(napi_env env, napi_callback_info info) {
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

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor props[] = {
      {"mknod", NULL, js_mknod, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lsetxattr", NULL, js_lsetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lgetxattr", NULL, js_lgetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"llistxattr", NULL, js_llistxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lremovexattr", NULL, js_lremovexattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tryflock", NULL, js_tryflock, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mount", NULL, js_mount, NULL, NULL, NULL, napi_enumerable, NULL},
      {"umount", NULL, js_umount, NULL, NULL, NULL, napi_enumerable, NULL},
      {"syncfs", NULL, js_syncfs, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) {
    throw_napi_failure(env);
    return NULL;
  }
  return exports;
}
