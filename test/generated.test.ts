/**
 * The per-operation code of both sides is generated from one declaration
 * (scripts/codegen/operations.mjs): the committed output must be current, and
 * the addon must number the operations as the generated TypeScript does.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { native } from '../lib/addon.js';
import { OPERATION_NAMES } from '../lib/generated/operations.js';

describe('generated operation code', () => {
  it('is current with scripts/codegen/operations.mjs', async () => {
    const run = promisify(execFile)(process.execPath, ['scripts/codegen/generate.mjs', '--check']);
    await expect(run).resolves.toBeDefined();
  });

  it('numbers the operations as the addon does', () => {
    expect(Object.fromEntries(OPERATION_NAMES.map((name, i) => [name, i]))).toEqual({ ...native.OP });
  });
});
