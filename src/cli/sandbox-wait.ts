/** A rehearsal's wait (`--advance-sandbox`): move the sandbox's virtual clock forward instead of sleeping. */
import { UserError } from '../core/errors.js';

/** Every due slot fires in order while the clock moves; `server` is either stand-in's URL. */
export function sandboxAdvancer(server: string): (ms: number) => Promise<void> {
  return async (ms) => {
    const res = await fetch(new URL('/_sandbox/clock/advance', server), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ seconds: Math.max(1, Math.ceil(ms / 1000)) }),
    });
    if (!res.ok) throw new UserError(`--advance-sandbox: ${server} is not a sandbox on a virtual clock (${res.status})`, 'Use it only with `migrate sandbox --clock virtual`.');
  };
}
