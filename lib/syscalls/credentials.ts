/**
 * Per-thread credentials. On Linux the filesystem uid and gid and the
 * supplementary groups belong to a thread, not the process: these change
 * only the calling thread — the JS thread when called from JavaScript. The
 * `…Async` calls run on libuv pool threads, which these do not reach: give
 * those calls their `cred` argument instead, and the worker sets and restores
 * the credentials around the call itself. Needs CAP_SETUID/CAP_SETGID.
 *
 * Prefer the `cred` argument of the creating calls (openat with O_CREAT,
 * mknodat, mkdirat, symlinkat) to these: it costs no extra crossings and
 * restores even when the call fails.
 * @module
 */
import { native } from '../addon.js';
import { typeError } from '../validate.js';
import * as check from './check.js';

const sys = native.sys;

/** Sets this thread's filesystem uid (setfsuid(2)) and returns the previous one. EPERM if not allowed. */
export function setfsuid(uid: number): number {
  return sys.setfsuid(check.id('setfsuid', 'uid', uid));
}

/** Sets this thread's filesystem gid (setfsgid(2)) and returns the previous one. EPERM if not allowed. */
export function setfsgid(gid: number): number {
  return sys.setfsgid(check.id('setfsgid', 'gid', gid));
}

/**
 * Sets this thread's supplementary groups: the raw system call, unlike
 * glibc's `setgroups` (and node's `process.setgroups`), which change every
 * thread of the process.
 */
export function setgroups(groups: readonly number[]): void {
  if (!Array.isArray(groups)) typeError('setgroups', 'groups', 'an array of group ids', groups);
  for (const g of groups) check.id('setgroups', 'groups[]', g);
  sys.setgroups(groups);
}

/** This thread's supplementary groups. */
export function getgroups(): number[] {
  return sys.getgroups();
}
