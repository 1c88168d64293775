/** `--to` and `--from`: a backend as the operator writes it, any of its names. */
import { BACKEND_NAMES } from '../../backends/names.js';
import type { BackendName } from '../core/backend-names.js';
import { UserError } from '../core/errors.js';

/** The option's --help line: `a | b (b2)`. */
export const BACKEND_CHOICES = BACKEND_NAMES.identities.map((b) => (b.aliases.length ? `${b.name} (${b.aliases.join(', ')})` : b.name)).join(' | ');

export function backendOption(flag: 'to' | 'from', written: string): BackendName {
  const name = BACKEND_NAMES.parse(written);
  if (name) return name;
  const each = BACKEND_NAMES.identities.map((b) => `--${flag} ${b.name}${b.aliases.length ? ` (${b.aliases.join(', ')})` : ''}`);
  throw new UserError(`--${flag} ${written} is not a backend`, `Use ${each.slice(0, -1).join(', ')} or ${each.at(-1)}.`);
}
