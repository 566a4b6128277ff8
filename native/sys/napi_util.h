/* Shared by the lade_sys sources: errors shaped like Node's fs errors, and argument helpers.
 * Each returns NULL / 0 with a JS exception pending on failure. */
#ifndef LADE_SYS_NAPI_UTIL_H
#define LADE_SYS_NAPI_UTIL_H
#define NAPI_VERSION 8
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

const char *errno_name(int err);
void throw_errno(napi_env env, int err, const char *syscall, const char *path);
void throw_type_error(napi_env env, const char *code, const char *msg);
void throw_napi_failure(napi_env env);
char *get_string(napi_env env, napi_value value, const char *what);
int get_uint32(napi_env env, napi_value value, const char *what, uint32_t *out);
int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv);
int get_path_and_name(napi_env env, napi_value *argv, char **path, char **name);

napi_value js_mount(napi_env env, napi_callback_info info);
napi_value js_umount(napi_env env, napi_callback_info info);
napi_value js_syncfs(napi_env env, napi_callback_info info);
#endif
