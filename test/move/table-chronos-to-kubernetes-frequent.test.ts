/** chronos -> kubernetes, every minute and every five minutes: each handoff moment, zero missed, zero doubled, each slot on its system. */
import { handoffTable } from './table-cases.js';

handoffTable('chronos', [0, 1]);
