/** The explicit registry of commands: no dynamic loading. */
import type { CommandFactory } from '../run.js';
import { sandboxCommand } from './sandbox.js';
import { historyCommand } from './history.js';
import { moveCommand } from './move.js';
import { nextCommand } from './next.js';
import { resumeCommand } from './resume.js';
import { rollbackCommand } from './rollback.js';
import { renderCommand } from './render.js';
import { validateCommand } from './validate.js';
import { statusCommand } from './status.js';
import { diffCommand } from './diff.js';
import { applyCommand } from './apply.js';
import { importCommand } from './import.js';
import { demoCommand } from './demo.js';

export const commands: readonly CommandFactory[] = [
  validateCommand, renderCommand, nextCommand, statusCommand, diffCommand, applyCommand, importCommand,
  moveCommand, rollbackCommand, resumeCommand, historyCommand, sandboxCommand, demoCommand,
];
