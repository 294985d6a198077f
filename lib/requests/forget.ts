/**
 * forget: the kernel dropped lookups of inodes.
 * @module
 */
import type { ForgetItem } from '../types.js';
import { u64 } from '../words.js';

/**
 * forget (and forget_multi, batched): the kernel dropped `nlookup` references
 * to each inode. Once an inode's lookups drop to zero (and it has no links),
 * the filesystem may free it. Takes no reply.
 */
export class ForgetRequest {
  /** The operation's name. */
  readonly op = 'forget';
  /** Each inode and how many lookups the kernel forgot. */
  readonly forgets: readonly ForgetItem[];
  /** @internal Per forget: ino and nlookup, each as two words. */
  constructor(words: Uint32Array) {
    const forgets: ForgetItem[] = [];
    for (let i = 0; i + 3 < words.length; i += 4) {
      // A lookup count past 2^53 would take centuries of lookups: a number.
      forgets.push({ ino: u64(words, i), nlookup: Number(u64(words, i + 2)) });
    }
    this.forgets = forgets;
  }
}
