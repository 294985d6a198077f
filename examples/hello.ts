/**
 * hello: libfuse's classic example. The root directory holds one read-only
 * file, `hello`, that reads "Hello World!\n".
 *
 *     fuse-lowlevel hello /mnt/hello
 *     cat /mnt/hello/hello
 * @module
 */
import { constants } from 'node:fs';
import type { Attr, Operations } from '../lib/index.js';

const ROOT = 1;
const HELLO = 2;
const NAME = 'hello';
/** The access mode bits of open(2) flags (not in fs.constants). */
const O_ACCMODE = 3;
const CONTENT = Buffer.from('Hello World!\n');

function attrOf(ino: number): Attr | undefined {
  if (ino === ROOT) return { ino, mode: constants.S_IFDIR | 0o755, nlink: 2 };
  if (ino === HELLO) return { ino, mode: constants.S_IFREG | 0o444, nlink: 1, size: CONTENT.length };
  return undefined;
}

/** The hello filesystem's handlers. */
export function helloOperations(): Operations {
  return {
    lookup(req) {
      if (req.parent !== ROOT || req.name !== NAME) return req.replyError('ENOENT');
      req.replyEntry({ ino: HELLO, attr: attrOf(HELLO) as Attr, attrTimeout: 1, entryTimeout: 1 });
    },
    getattr(req) {
      const attr = attrOf(req.ino);
      if (attr === undefined) return req.replyError('ENOENT');
      req.replyAttr(attr, 1);
    },
    readdir(req) {
      if (req.ino !== ROOT) return req.replyError('ENOTDIR');
      const entries: [string, number, number][] = [
        ['.', ROOT, constants.S_IFDIR],
        ['..', ROOT, constants.S_IFDIR],
        [NAME, HELLO, constants.S_IFREG],
      ];
      for (let i = req.offset; i < entries.length; i++) {
        const [name, ino, mode] = entries[i] as [string, number, number];
        if (!req.add(name, ino, mode, i + 1)) break;
      }
      req.replyDirents();
    },
    open(req) {
      if (req.ino !== HELLO) return req.replyError('EISDIR');
      if ((req.flags & O_ACCMODE) !== constants.O_RDONLY) return req.replyError('EACCES');
      req.replyOpen(0, { keepCache: true });
    },
    read(req) {
      if (req.ino !== HELLO) return req.replyError('EISDIR');
      req.replyBuf(
        CONTENT.subarray(Math.min(req.offset, CONTENT.length), Math.min(req.offset + req.size, CONTENT.length)),
      );
    },
  };
}
