/* Errors and argument helpers for the lade_sys sources (see napi_util.h). */
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
const char *errno_name(int err) {
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
void throw_errno(napi_env env, int err, const char *syscall, const char *path) {
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

void throw_type_error(napi_env env, const char *code, const char *msg) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_type_error(env, code, msg);
}

/* Reports a failed N-API call unless it already left an exception behind. */
void throw_napi_failure(napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  napi_throw_error(env, NULL, info != NULL && info->error_message != NULL ? info->error_message : "N-API call failed");
}

/* Reads a JS string argument as a NUL-terminated UTF-8 copy (caller frees). A string with an
 * embedded NUL would silently name a different file in C, so it is refused, as Node's fs does. */
char *get_string(napi_env env, napi_value value, const char *what) {
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

int get_uint32(napi_env env, napi_value value, const char *what, uint32_t *out) {
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
int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
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
int get_path_and_name(napi_env env, napi_value *argv, char **path, char **name) {
  *path = get_string(env, argv[0], "path");
  if (*path == NULL) return 0;
  *name = get_string(env, argv[1], "name");
  if (*name == NULL) {
    free(*path);
    return 0;
  }
  return 1;
}
