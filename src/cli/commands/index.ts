/** The explicit registry of commands: no dynamic loading. */
import type { CommandFactory } from '../run.js';
import { sandboxCommand } from './sandbox.js';
import { nextCommand } from './next.js';
import { renderCommand } from './render.js';
import { validateCommand } from './validate.js';

export const commands: readonly CommandFactory[] = [validateCommand, renderCommand, nextCommand, sandboxCommand];
