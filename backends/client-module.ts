/**
 * A backend's client library (axios, @kubernetes/client-node: most of a command's start-up time
 * and memory), loaded only by the commands that reach a server. `load()` runs once before the first
 * connection is opened (src/cli/connections.ts awaits it as it is imported); after that, `get()`
 * hands it to the synchronous code that builds clients.
 */
export interface ClientModule<M> {
  load(): Promise<void>;
  get(): M;
}

export function clientModule<M>(title: string, importer: () => Promise<M>): ClientModule<M> {
  let loaded: M | undefined;
  return {
    async load() {
      loaded ??= await importer();
    },
    get() {
      if (loaded === undefined) throw new Error(`the ${title} client is not loaded: open connections through src/cli/connections.ts, which loads every backend's client first`);
      return loaded;
    },
  };
}
