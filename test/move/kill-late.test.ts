/**
 * Killed with the source disabled and the target not yet enabled, and nobody back for 17 minutes
 * (three five-minute slots): both systems catch up at most one slot, so the latest is recovered
 * and the older ones are named as lost.
 */
import { KILL_POINTS } from './kill-bench.js';
import { killTable } from './kill-cases.js';

const points = KILL_POINTS.filter((p) => p.name === 'after source-disabled');
killTable('resume', 'chronos', points, 17 * 60);
killTable('rollback', 'chronos', points, 17 * 60);
killTable('resume', 'kubernetes', points, 17 * 60);
killTable('rollback', 'kubernetes', points, 17 * 60);
