/** Golden files under test/golden/<command>/: compared as text, rewritten with UPDATE_GOLDEN=1. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GOLDEN_ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '../golden');

export function expectGolden(command: string, name: string, actual: string): void {
  const dir = join(GOLDEN_ROOT, command);
  const file = join(dir, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
