/**
 * traceOperations (lib/trace.ts): one line per request, with the names
 * involved, the reply or errno, the handler's duration and which handler
 * threw — on real mounts driven from a child process.
 */
import { expect, it } from 'vitest';
import { helloOperations } from '../examples/hello.js';
import { memfsOperations } from '../examples/memfs/index.js';
import { FuseError, type Operations, traceOperations } from '../lib/index.js';
import { describeMount, sh, waitFor, withSession } from './helpers/fuse.js';

/** `ops` traced into an array of lines. */
function traced(ops: Operations): { ops: Operations; lines: string[] } {
  const lines: string[] = [];
  return { ops: traceOperations(ops, { write: (line) => lines.push(line) }), lines };
}

const MS = String.raw`\(\d+\.\d\d ms\)`;

describeMount('traceOperations', () => {
  it('shows lookup names, rename pairs, replies and errnos, each with its duration', async () => {
    const { ops, lines } = traced(memfsOperations());
    await withSession(ops, async (dir) => {
      const out = await sh(`cd ${dir} && mkdir d && echo hi > d/a && mv d/a d/b && cat d/b && ! stat d/missing`);
      expect(out.code, out.stderr).toBe(0);
      await waitFor(() => lines.some((l) => l.startsWith('rename ')), 3000, 'the rename line');
    });
    const text = lines.join('\n');
    expect(text).toMatch(/^init \(protocol 7\.\d+\)$/m);
    expect(text).toMatch(new RegExp(`^mkdir #\\d+ parent=1 name="d" mode=0o\\d+ → entry ino=\\d+ ${MS}$`, 'm'));
    expect(text).toMatch(
      new RegExp(`^rename #\\d+ parent=(\\d+) name="a" → newParent=\\1 newName="b" flags=\\d+ → ok ${MS}$`, 'm'),
    );
    expect(text).toMatch(new RegExp(`^lookup #\\d+ parent=\\d+ name="missing" → (ENOENT|negative entry) ${MS}$`, 'm'));
    expect(text).toMatch(new RegExp(`^read #\\d+ ino=\\d+ fh=\\d+ offset=0 size=\\d+ .*→ 3 bytes ${MS}$`, 'm'));
    expect(text).toMatch(new RegExp(`^write #\\d+ ino=\\d+ fh=\\d+ offset=0 .*→ wrote 3 ${MS}$`, 'm'));
  });

  it('names the handler that threw, and what; a thrown errno is shown as such', async () => {
    const hello = helloOperations();
    const { ops, lines } = traced({
      ...hello,
      async lookup(req) {
        if (req.name === 'boom') throw new TypeError('boom in lookup');
        if (req.name === 'denied') throw new FuseError('EACCES');
        return hello.lookup?.(req);
      },
    });
    await withSession(ops, async (dir, session) => {
      session.on('error', () => undefined); // the TypeError is reported there too
      await sh(`stat ${dir}/boom; stat ${dir}/denied; cat ${dir}/hello; ls ${dir}`);
      await waitFor(() => lines.some((l) => l.startsWith('readdir ')), 3000, 'the lines');
    });
    const text = lines.join('\n');
    expect(text).toMatch(
      new RegExp(
        `^lookup #\\d+ parent=1 name="boom" → EIO: the lookup handler threw TypeError: boom in lookup ${MS}$`,
        'm',
      ),
    );
    expect(text).toMatch(new RegExp(`^lookup #\\d+ parent=1 name="denied" → EACCES \\(thrown\\) ${MS}$`, 'm'));
    expect(text).toMatch(new RegExp(`^lookup #\\d+ parent=1 name="hello" → entry ino=2 ${MS}$`, 'm'));
    expect(text).toMatch(
      new RegExp(`^readdir #\\d+ ino=1 fh=\\d+ offset=0 size=\\d+ → 3 entries: "\\." "\\.\\." "hello" ${MS}$`, 'm'),
    );
  });

  it('wraps only the handlers given, and leaves the operations object itself alone', () => {
    const hello = helloOperations();
    const ops = traceOperations(hello, { write: () => undefined });
    expect(Object.keys(ops).sort()).toEqual(Object.keys(hello).sort());
    expect(ops.lookup).not.toBe(hello.lookup);
  });
});
