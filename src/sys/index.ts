export { mknod, lsetxattr, lgetxattr, llistxattr, lremovexattr, isSysError, tryFlock, mount, umount, syncfs, MountFlag, UmountFlag } from './native.js';
export type { SysError } from './native.js';
