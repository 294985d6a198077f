/**
 * Reply implementations shared by several request classes, and the positional
 * arguments every request class is constructed from.
 * @module
 */

import type { SessionCallbacks } from '../../types/native.js';
import { native } from '../addon.js';
import { ATTR_LENGTH, ENTRY_LENGTH, packAttr, packEntry } from '../layout.js';
import { checkBytes, checkSize, type Request, type RequestOwner } from '../request.js';
import type { Attr, Entry, OpenOptions } from '../types.js';
import { seconds, typeError, uint } from '../validate.js';

/** The addon's positional request values after the operation number (SessionCallbacks.request). */
type AddonRequestValues = Parameters<SessionCallbacks['request']> extends [number, ...infer Rest] ? Rest : never;

/** What every request class is constructed from: its owner, then the addon's values. */
export type Args = [owner: RequestOwner, ...AddonRequestValues];

// Scratch space for packing: replies are synchronous, so one buffer serves all.
const ATTR = new Float64Array(ATTR_LENGTH);
const ENTRY = new Float64Array(ENTRY_LENGTH);
const ERANGE = 34;

/** Answers with an entry (lookup, mknod, mkdir, symlink, link). */
export function sendEntry(req: Request, entry: Entry): void {
  const id = req._take('replyEntry');
  try {
    packEntry(`${req.op}.replyEntry`, entry, ENTRY, 0);
  } catch (error) {
    req._sendInvalid(id, error);
  }
  req._sent(native.replyEntry(id, ENTRY));
}

/** Answers with attributes (getattr, setattr). */
export function sendAttr(req: Request & { readonly ino: number }, attr: Attr, timeout: number): void {
  const id = req._take('replyAttr');
  try {
    packAttr(`${req.op}.replyAttr`, attr, ATTR, 0, req.ino);
    seconds(`${req.op}.replyAttr`, 'timeout', timeout, 1);
  } catch (error) {
    req._sendInvalid(id, error);
  }
  req._sent(native.replyAttr(id, ATTR, timeout));
}

/** Answers success (errno 0). */
export function sendOk(req: Request): void {
  req._sent(native.replyErr(req._take('replyOk'), 0));
}

/** The addon's bits for open options. */
function openBits(where: string, options: OpenOptions | undefined): number {
  if (options === undefined) return 0;
  if (typeof options !== 'object' || options === null) typeError(where, 'options', 'an object', options);
  return (
    (options.directIo ? 1 : 0) |
    (options.keepCache ? 2 : 0) |
    (options.nonseekable ? 4 : 0) |
    (options.cacheReaddir ? 8 : 0) |
    (options.noflush ? 16 : 0)
  );
}

/** Answers with a file handle (open, opendir). */
export function sendOpen(req: Request, fh: number, options: OpenOptions | undefined): void {
  const id = req._take('replyOpen');
  let bits = 0;
  try {
    uint(`${req.op}.replyOpen`, 'fh', fh);
    bits = openBits(`${req.op}.replyOpen`, options);
  } catch (error) {
    req._sendInvalid(id, error);
  }
  req._sent(native.replyOpen(id, fh, bits));
}

/** Answers create with an entry and a file handle. */
export function sendCreate(req: Request, entry: Entry, fh: number, options: OpenOptions | undefined): void {
  const id = req._take('replyCreate');
  let bits = 0;
  try {
    packEntry(`${req.op}.replyCreate`, entry, ENTRY, 0);
    uint(`${req.op}.replyCreate`, 'fh', fh);
    bits = openBits(`${req.op}.replyCreate`, options);
  } catch (error) {
    req._sendInvalid(id, error);
  }
  req._sent(native.replyCreate(id, ENTRY, fh, bits));
}

/** Answers with bytes, at most `max` of them. */
export function sendBuf(req: Request, data: Uint8Array, max: number): void {
  const id = req._take('replyBuf');
  try {
    checkBytes(`${req.op}.replyBuf`, 'data', data);
    checkSize(`${req.op}.replyBuf`, 'data', data.byteLength, max);
  } catch (error) {
    req._sendInvalid(id, error);
  }
  req._sent(native.replyBuf(id, data));
}

/** Answers with a byte count, at most `max` (write, copyFileRange). */
export function sendWrite(req: Request, count: number, max: number): void {
  const id = req._take('replyWrite');
  try {
    uint(`${req.op}.replyWrite`, 'count', count, max);
  } catch (error) {
    req._sendInvalid(id, error);
  }
  req._sent(native.replyWrite(id, count));
}

/** Answers an xattr request: the size for a size-0 probe, ERANGE when too small, else the bytes. */
export function sendXattrValue(req: Request & { readonly size: number }, method: string, data: Uint8Array): void {
  const id = req._take(method);
  try {
    checkBytes(`${req.op}.${method}`, 'data', data);
  } catch (error) {
    req._sendInvalid(id, error);
  }
  if (req.size === 0) {
    req._sent(native.replyXattr(id, data.byteLength));
  } else if (data.byteLength > req.size) {
    req._sent(native.replyErr(id, ERANGE));
  } else {
    req._sent(native.replyBuf(id, data));
  }
}

/** Answers an xattr probe with a size. */
export function sendXattrSize(req: Request & { readonly size: number }, size: number): void {
  const id = req._take('replyXattrSize');
  try {
    if (req.size !== 0) {
      throw new RangeError(
        `${req.op}.replyXattrSize: only a size-0 probe takes a size reply; this request has size ${req.size}`,
      );
    }
    uint(`${req.op}.replyXattrSize`, 'size', size, 0xffffffff);
  } catch (error) {
    req._sendInvalid(id, error);
  }
  req._sent(native.replyXattr(id, size));
}
