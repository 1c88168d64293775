/**
 * Waits on a sandbox: a rehearsal's wait (`--advance-sandbox`) moves its virtual clock forward
 * instead of sleeping; a move that sleeps against a virtual clock is told how to advance it.
 */
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

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether `server` is a sandbox whose clock is virtual (`GET /_sandbox/clock` says so). Only a
 * server on this machine is asked: the sandbox listens on loopback only, and a real API server
 * is not sent requests it does not serve.
 */
export async function isVirtualSandbox(server: string): Promise<boolean> {
  let url: URL;
  try {
    url = new URL('/_sandbox/clock', server);
  } catch {
    return false;
  }
  if (!LOOPBACK.has(url.hostname)) return false;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return false;
    const body: unknown = await res.json();
    return typeof body === 'object' && body !== null && (body as { readonly mode?: unknown }).mode === 'virtual';
  } catch {
    return false;
  }
}

/** Said once, at the first wait of a move that sleeps in real time against a virtual clock. */
export function virtualClockNote(server: string): string {
  return (
    `note: the sandbox at ${server} runs a virtual clock, which moves only when advanced: this wait ends only when something advances it. ` +
    `Stop with Ctrl-C and run again with --advance-sandbox, or advance it from another shell: ` +
    `curl -s -X POST ${new URL('/_sandbox/clock/advance', server).href} -d '{"seconds": 60}'`
  );
}
