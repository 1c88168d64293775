/** The explicit registry of commands: no dynamic loading. */
import type { CommandFactory } from '../run.js';
import { sandboxCommand } from './sandbox.js';
import { nextCommand } from './next.js';
import { renderCommand } from './render.js';
import { validateCommand } from './validate.js';
import { statusCommand } from './status.js';
import { diffCommand } from './diff.js';
import { applyCommand } from './apply.js';

export const commands: readonly CommandFactory[] = [validateCommand, renderCommand, nextCommand, sandboxCommand, statusCommand, diffCommand, applyCommand];
