export { mknod, lsetxattr, lgetxattr, llistxattr, lremovexattr, isSysError, tryFlock } from './native.js';
export type { SysError } from './native.js';
