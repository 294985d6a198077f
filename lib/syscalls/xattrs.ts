/**
 * Extended attributes, whole values: on open descriptors (`f…xattr`) and by
 * name relative to a directory descriptor (`…xattrat`). The `…xattrat` forms
 * take AT_EMPTY_PATH with `''` for the file behind any descriptor — O_PATH
 * ones included, through `/proc/self/fd/N`, as passthrough_ll does — and
 * AT_SYMLINK_NOFOLLOW for a symlink itself (the l…xattr calls). A value or
 * list that outgrows the first buffer is read again at the size the kernel
 * reports (the size-probe / ERANGE protocol), so the result is always whole.
 * @module
 */
import { native } from '../addon.js';
import type { NameInput } from '../names.js';
import * as check from './check.js';
import type { EncodingOption } from './types.js';

const sys = native.sys;
const BUFFER = { encoding: 'buffer' } as const;

/** An attribute's value (fgetxattr(2)); ENODATA when it is not set. */
export function fgetxattr(fd: number, name: NameInput): Buffer {
  return sys.fgetxattr(check.fd('fgetxattr', fd), check.name('fgetxattr', 'name', name));
}
/** {@link fgetxattr} on the libuv thread pool. */
export function fgetxattrAsync(fd: number, name: NameInput): Promise<Buffer> {
  return sys.fgetxattrAsync(check.fd('fgetxattrAsync', fd), check.name('fgetxattrAsync', 'name', name));
}

function checkSet(where: string, fd: number, name: NameInput, value: Uint8Array, flags: number) {
  check.fd(where, fd);
  check.name(where, 'name', name);
  check.bytes(where, 'value', value);
  check.int32(where, 'flags', flags);
}

/** Sets an attribute (fsetxattr(2)). Flags: XATTR_CREATE, XATTR_REPLACE. */
export function fsetxattr(fd: number, name: NameInput, value: Uint8Array, flags = 0): void {
  checkSet('fsetxattr', fd, name, value, flags);
  sys.fsetxattr(fd, name, value, flags);
}
/** {@link fsetxattr} on the libuv thread pool (the value must not change until it settles). */
export function fsetxattrAsync(fd: number, name: NameInput, value: Uint8Array, flags = 0): Promise<void> {
  checkSet('fsetxattrAsync', fd, name, value, flags);
  return sys.fsetxattrAsync(fd, name, value, flags);
}

/** The attribute names (flistxattr(2)): strings, or Buffers with `{ encoding: 'buffer' }`. */
export function flistxattr(fd: number, options?: EncodingOption<'utf8'>): string[];
export function flistxattr(fd: number, options: EncodingOption<'buffer'>): Buffer[];
export function flistxattr(fd: number, options?: EncodingOption): string[] | Buffer[] {
  check.fd('flistxattr', fd);
  return sys.flistxattr(fd, check.rawNames('flistxattr', options) ? BUFFER : undefined) as string[] | Buffer[];
}
/** {@link flistxattr} on the libuv thread pool. */
export function flistxattrAsync(fd: number, options?: EncodingOption<'utf8'>): Promise<string[]>;
export function flistxattrAsync(fd: number, options: EncodingOption<'buffer'>): Promise<Buffer[]>;
export function flistxattrAsync(fd: number, options?: EncodingOption): Promise<string[] | Buffer[]> {
  check.fd('flistxattrAsync', fd);
  return sys.flistxattrAsync(fd, check.rawNames('flistxattrAsync', options) ? BUFFER : undefined) as Promise<
    string[] | Buffer[]
  >;
}

/** Removes an attribute (fremovexattr(2)); ENODATA when it is not set. */
export function fremovexattr(fd: number, name: NameInput): void {
  sys.fremovexattr(check.fd('fremovexattr', fd), check.name('fremovexattr', 'name', name));
}
/** {@link fremovexattr} on the libuv thread pool. */
export function fremovexattrAsync(fd: number, name: NameInput): Promise<void> {
  return sys.fremovexattrAsync(check.fd('fremovexattrAsync', fd), check.name('fremovexattrAsync', 'name', name));
}

function checkAt(where: string, dirfd: number, path: NameInput, flags: number) {
  check.dirfd(where, dirfd);
  check.name(where, 'path', path);
  check.int32(where, 'flags', flags);
}

/** An attribute's value by name: `getxattrat(fd, '', name, AT_EMPTY_PATH)` for an O_PATH descriptor. */
export function getxattrat(dirfd: number, path: NameInput, name: NameInput, flags = 0): Buffer {
  checkAt('getxattrat', dirfd, path, flags);
  return sys.getxattrat(dirfd, path, check.name('getxattrat', 'name', name), flags);
}
/** {@link getxattrat} on the libuv thread pool. */
export function getxattratAsync(dirfd: number, path: NameInput, name: NameInput, flags = 0): Promise<Buffer> {
  checkAt('getxattratAsync', dirfd, path, flags);
  return sys.getxattratAsync(dirfd, path, check.name('getxattratAsync', 'name', name), flags);
}

function checkSetAt(
  where: string,
  dirfd: number,
  path: NameInput,
  name: NameInput,
  value: Uint8Array,
  xflags: number,
  flags: number,
) {
  checkAt(where, dirfd, path, flags);
  check.name(where, 'name', name);
  check.bytes(where, 'value', value);
  check.int32(where, 'xattrFlags', xflags);
}

/** Sets an attribute by name. `xattrFlags`: XATTR_CREATE, XATTR_REPLACE; `flags`: AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW. */
export function setxattrat(
  dirfd: number,
  path: NameInput,
  name: NameInput,
  value: Uint8Array,
  xattrFlags = 0,
  flags = 0,
): void {
  checkSetAt('setxattrat', dirfd, path, name, value, xattrFlags, flags);
  sys.setxattrat(dirfd, path, name, value, xattrFlags, flags);
}
/** {@link setxattrat} on the libuv thread pool (the value must not change until it settles). */
export function setxattratAsync(
  dirfd: number,
  path: NameInput,
  name: NameInput,
  value: Uint8Array,
  xattrFlags = 0,
  flags = 0,
): Promise<void> {
  checkSetAt('setxattratAsync', dirfd, path, name, value, xattrFlags, flags);
  return sys.setxattratAsync(dirfd, path, name, value, xattrFlags, flags);
}

/** The attribute names by name: strings, or Buffers with `{ encoding: 'buffer' }`. */
export function listxattrat(dirfd: number, path: NameInput, flags?: number, options?: EncodingOption<'utf8'>): string[];
export function listxattrat(dirfd: number, path: NameInput, flags: number, options: EncodingOption<'buffer'>): Buffer[];
export function listxattrat(dirfd: number, path: NameInput, flags = 0, options?: EncodingOption): string[] | Buffer[] {
  checkAt('listxattrat', dirfd, path, flags);
  return sys.listxattrat(dirfd, path, flags, check.rawNames('listxattrat', options) ? BUFFER : undefined) as
    | string[]
    | Buffer[];
}
/** {@link listxattrat} on the libuv thread pool. */
export function listxattratAsync(
  dirfd: number,
  path: NameInput,
  flags?: number,
  options?: EncodingOption<'utf8'>,
): Promise<string[]>;
export function listxattratAsync(
  dirfd: number,
  path: NameInput,
  flags: number,
  options: EncodingOption<'buffer'>,
): Promise<Buffer[]>;
export function listxattratAsync(
  dirfd: number,
  path: NameInput,
  flags = 0,
  options?: EncodingOption,
): Promise<string[] | Buffer[]> {
  checkAt('listxattratAsync', dirfd, path, flags);
  return sys.listxattratAsync(
    dirfd,
    path,
    flags,
    check.rawNames('listxattratAsync', options) ? BUFFER : undefined,
  ) as Promise<string[] | Buffer[]>;
}

/** Removes an attribute by name. */
export function removexattrat(dirfd: number, path: NameInput, name: NameInput, flags = 0): void {
  checkAt('removexattrat', dirfd, path, flags);
  sys.removexattrat(dirfd, path, check.name('removexattrat', 'name', name), flags);
}
/** {@link removexattrat} on the libuv thread pool. */
export function removexattratAsync(dirfd: number, path: NameInput, name: NameInput, flags = 0): Promise<void> {
  checkAt('removexattratAsync', dirfd, path, flags);
  return sys.removexattratAsync(dirfd, path, check.name('removexattratAsync', 'name', name), flags);
}
