import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helloOperations } from '../examples/hello.js';
import { ROOT } from './helpers/dist.js';
import { client, describeMount, sh, withSession } from './helpers/fuse.js';

describeMount('hello example', () => {
  it('lists one read-only file of 13 bytes', async () => {
    await withSession(helloOperations(), async (dir) => {
      const ls = await sh(`ls -l ${dir}`);
      expect(ls.code).toBe(0);
      expect(ls.stdout).toMatch(/^-r--r--r-- 1 \S+ \S+ 13 .* hello$/m);
    });
  });

  it('reads "Hello World!"', async () => {
    await withSession(helloOperations(), async (dir) => {
      const cat = await sh(`cat ${dir}/hello`);
      expect(cat.stdout).toBe('Hello World!\n');
    });
  });

  it('refuses opening for writing with EACCES and unknown names with ENOENT', async () => {
    await withSession(helloOperations(), async (dir) => {
      const result = await client<{ write: string; missing: string }>(`
        const codeOf = (f) => { try { f(); return 'ok'; } catch (e) { return e.code; } };
        out({ write: codeOf(() => fs.openSync('${dir}/hello', 'w')), missing: codeOf(() => fs.statSync('${dir}/nope')) });`);
      expect(result).toEqual({ write: 'EACCES', missing: 'ENOENT' });
    });
  });
});

describe('hello example handlers', () => {
  it('implement exactly lookup, getattr, readdir, open and read', () => {
    expect(Object.keys(helloOperations()).sort()).toEqual(['getattr', 'lookup', 'open', 'read', 'readdir']);
  });

  it('are what the README quotes: examples/hello.ts after its doc comment, importing from the package', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const quoted = /## A complete filesystem in \d+ lines\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    const source = readFileSync(join(ROOT, 'examples', 'hello.ts'), 'utf8');
    const code = source.slice(source.indexOf(' */\n') + 4).replace("'../lib/index.js'", "'fuse-lowlevel'");
    expect(quoted).toBe(code);
  });
});
