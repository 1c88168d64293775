/** Every API call of `rollback`, in both directions, with every fault kind and a kill before it: see fault-points.ts. */
import { faultPointSuite, prepare } from './fault-points.js';

faultPointSuite(await prepare('rollback'));
