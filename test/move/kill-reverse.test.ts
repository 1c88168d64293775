/** Killed inside a Kubernetes -> Chronos move, then `migrate resume`. */
import { KILL_POINTS } from './kill-bench.js';
import { killTable } from './kill-cases.js';

killTable('resume', 'kubernetes', KILL_POINTS.filter((p) => p.sourceDisabled && p.record !== 'verified'));
