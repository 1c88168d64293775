/** Killed after each step of a Chronos -> Kubernetes move, then `migrate rollback`. */
import { killTable } from './kill-cases.js';

killTable('rollback', 'chronos');
