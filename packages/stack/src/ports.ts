import { createServer } from 'node:net';

/** Ports this process has handed out: never the same one twice, even before it is bound. */
const given = new Set<number>();

function probe(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A port chosen elsewhere (the front door's, given by whoever started the stack): never handed
 * out here. The caller picked it as free in its own process, so this process could pick it too
 * before the front door binds it (subpath.test.ts once saw web-service take it).
 */
export function reservePort(port: number): void {
  given.add(port);
}

/**
 * A port that was free a moment ago on the loopback interface, and not one this process has
 * handed out before (the stack chooses all its addresses before anything binds them).
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (;;) {
    const port = await probe(host);
    if (!given.has(port)) {
      given.add(port);
      return port;
    }
  }
}
