/**
 * A TCP relay between one in-process `migrate` and one stand-in, so that process can be killed:
 * `cut()` closes every connection it has open and refuses new ones, as the operating system does
 * for a process that died. The server then sees its client gone (a held request still lands, its
 * answer unseen), and the dead process's code, which goes on running in this Node process, can
 * reach nothing any more.
 */
import net from 'node:net';

export interface Relay {
  /** `http://127.0.0.1:<port>`: the address the process is given instead of the server's. */
  readonly url: string;
  cut(): void;
  close(): Promise<void>;
}

export async function startRelay(target: string): Promise<Relay> {
  const to = new URL(target);
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const server = net.createServer((client) => {
    track(client);
    const upstream = net.connect(Number(to.port), to.hostname);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    // Either end going (an error included) takes the other with it, as a dead process's socket does.
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  let cut = false;
  const cutAll = () => {
    cut = true;
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    cut() {
      if (cut) return;
      cutAll();
      server.close();
    },
    close() {
      cutAll();
      return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}
