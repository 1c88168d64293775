/**
 * The baseline of `validate` over a folder (bench/one-job.ts): a bare loop that reads every job
 * file of a folder and parses it with `yaml`, as a lean script would. Prints how many it read.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node dist/bench/one-job/read-parse.js <folder>');
let parsed = 0;
for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
  if (parse(readFileSync(join(dir, file), 'utf8')) !== undefined) parsed++;
}
process.stdout.write(`${parsed} files parsed\n`);
