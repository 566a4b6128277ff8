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

/* A value can change size between the sizing call and the reading call (ERANGE); retry a few
 * times, then report the ERANGE. */
#define XATTR_RETRIES 8


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
  /* Most files have no or few attributes: one call into a stack buffer, sizing only when the
   * list is longer (a diff lists every file of a layer). */
  char small[1024];
  ssize_t listed = llistxattr(path, small, sizeof small);
  if (listed >= 0) {
    result = names_to_array(env, small, (size_t)listed);
    free(path);
    return result;
  }
  int err = errno;
  for (int attempt = 0; err == ERANGE && attempt < XATTR_RETRIES; attempt++) {
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
