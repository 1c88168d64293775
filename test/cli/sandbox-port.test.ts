/** `migrate sandbox` on a port another process holds: the error names the address and the flag that chose it. */
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

test.each(['chronos-port', 'k8s-port'])('a port in use given with --%s is named in the error', async (flag) => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const { port } = holder.address() as net.AddressInfo;
  try {
    const r = await runCli(['sandbox', `--${flag}`, String(port)], { cwd: mkdtempSync(join(tmpdir(), 'migrate-port-')) });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toContain(`error: port 127.0.0.1:${port} (--${flag}) is already in use\nPick other ports with --chronos-port/--k8s-port, or 0 for any free port.\n`);
  } finally {
    holder.close();
  }
});
