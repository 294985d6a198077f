/**
 * forget: the kernel dropped lookups of inodes.
 * @module
 */
import type { ForgetItem } from '../types.js';

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
  /** @internal */
  constructor(pairs: Float64Array) {
    const forgets: ForgetItem[] = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      forgets.push({ ino: pairs[i] as number, nlookup: pairs[i + 1] as number });
    }
    this.forgets = forgets;
  }
}
