// `npm run build`: compiles lib/ and examples/ into dist/ (from scratch, so no
// stale file survives a rename) and copies what tsc does not: the addon's
// declarations (types/) and the POSIX suite's python prelude.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
cpSync('types', 'dist/types', { recursive: true });
cpSync('lib/testing/posix/prelude.py', 'dist/lib/testing/posix/prelude.py');
