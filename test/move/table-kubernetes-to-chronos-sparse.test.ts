/** kubernetes -> chronos, two-hourly at :15 and daily in a DST zone: each handoff moment, zero missed, zero doubled, each slot on its system. */
import { handoffTable } from './table-cases.js';

handoffTable('kubernetes', [2, 3]);
