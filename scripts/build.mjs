// `npm run build`: compiles lib/ and examples/ into dist/ (from scratch, so no
// stale file survives a rename) and copies what tsc does not: the addon's
// declarations (types/) and the POSIX suite's python prelude. Then it writes
// the require() entry's declarations (see cjsDeclarations).
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

const require = createRequire(import.meta.url);

/** A relative module specifier ending in .js, in an import, export or import() of a declaration file. */
const RELATIVE_JS = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?\/[^'"]+)\.js\2/g;

/**
 * TypeScript with `"module": "node16"` models Node 16, whose require() cannot
 * load an ES module, so it rejects (TS1471) a CommonJS declaration file that
 * re-exports the ESM declarations. The require() entry therefore gets the same
 * declarations in CommonJS form: every .d.ts that `entry` reaches is copied to
 * a .d.cts beside it, its relative imports pointing at the .d.cts copies. At
 * run time both entries are one module (index.cjs requires index.js).
 */
function cjsDeclarations(entry) {
  const done = new Set();
  const pending = [resolve(entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (done.has(file)) continue;
    done.add(file);
    const text = readFileSync(file, 'utf8').replace(RELATIVE_JS, (_, keyword, quote, specifier) => {
      pending.push(resolve(dirname(file), `${specifier}.d.ts`));
      return `${keyword}${quote}${specifier}.cjs${quote}`;
    });
    writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), text);
  }
}

rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
cpSync('types', 'dist/types', { recursive: true });
cpSync('lib/testing/posix/prelude.py', 'dist/lib/testing/posix/prelude.py');
cjsDeclarations('dist/lib/index.d.ts');
