/**
 * Who holds a move lock, and whether that holder is gone. A holder is `user@host pid N[ move <id>]`;
 * one on this machine whose process has exited (or is a zombie) was killed, and its lock need not
 * be waited out. Holders on other machines always are.
 */
import fs from 'node:fs';
import os from 'node:os';

export function isAbandonedHolder(holder: string): boolean {
  const m = /^[^@]*@(\S+) pid (\d+)(?: .*)?$/.exec(holder);
  if (!m || m[1] !== os.hostname() || Number(m[2]) === process.pid) return false;
  try {
    process.kill(Number(m[2]), 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // A process killed a moment ago is a zombie until its parent (often the operator's shell)
  // reaps it: it still answers signal 0, but it will never renew its lease.
  return isZombie(Number(m[2]));
}

function isZombie(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces and parentheses.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** This process as a lock holder: `user@host pid N`. */
export function holderName(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return `${user}@${os.hostname()} pid ${process.pid}`;
}
