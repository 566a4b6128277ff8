export { mknod, lsetxattr, lgetxattr, llistxattr, lremovexattr, isSysError } from './native.js';
export type { SysError } from './native.js';
