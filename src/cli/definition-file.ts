/** Writes a job file atomically: a temporary file in the same folder, fsync'd, then renamed over it. */
import fs from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { BACKEND_NAMES } from '../../backends/names.js';
import { maskDefinitionSecrets, setDefinitionBackend } from '../core/definition-edit.js';
import type { BackendName } from '../core/job.js';

export function writeFileAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w', fs.statSync(file, { throwIfNoEntry: false })?.mode ?? 0o644);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** Flips the job file's backend; returns a unified diff of the change (empty when unchanged), secret env values masked. */
export function flipDefinitionBackend(file: string, shownAs: string, to: BackendName): string {
  const before = fs.readFileSync(file, 'utf8');
  const after = setDefinitionBackend(before, to, BACKEND_NAMES);
  if (after === before) return '';
  writeFileAtomic(file, after);
  return definitionPatch(shownAs, before, after);
}

/** The unified diff of a job file's change, as move prints it; its context lines must not show a secret. */
export function definitionPatch(shownAs: string, before: string, after: string): string {
  return createTwoFilesPatch(`a/${shownAs}`, `b/${shownAs}`, maskDefinitionSecrets(before), maskDefinitionSecrets(after), undefined, undefined, { context: 3 }).split('\n').slice(1).join('\n');
}
