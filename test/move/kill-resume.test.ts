/** Killed after each step of a Chronos -> Kubernetes move, then `migrate resume`. */
import { killTable } from './kill-cases.js';

killTable('resume', 'chronos');
