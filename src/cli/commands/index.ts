/** The explicit registry of commands: no dynamic loading. */
import type { CommandFactory } from '../run.js';

export const commands: readonly CommandFactory[] = [];
