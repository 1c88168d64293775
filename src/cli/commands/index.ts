/** The explicit registry of commands: no dynamic loading. */
import type { CommandFactory } from '../run.js';
import { sandboxCommand } from './sandbox.js';

export const commands: readonly CommandFactory[] = [sandboxCommand];
