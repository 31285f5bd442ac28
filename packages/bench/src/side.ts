/**
 * One side of a comparison (gate.ts): starts the stack of the tree at `argv[2]` — its own
 * `packages/stack` with its own services, built there — the way `npm start` does, prints where
 * its processes are as one JSON line, and stops it on SIGTERM. The environment (Redis, data
 * folder, limits) comes from the gate.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Stack {
  url: string;
  processes: ReadonlyMap<string, { pid: number; url: string }>;
  stop(): Promise<void>;
}
interface StackModule {
  startStack: (options: {
    env: NodeJS.ProcessEnv;
    port: number;
    host: string;
    dataDir: string;
    print: (line: string) => void;
  }) => Promise<Stack>;
}

const [root, port, dataDir] = process.argv.slice(2);
if (!root || !port || !dataDir) throw new Error('usage: node side.js <tree> <port> <data dir>');
const { startStack } = (await import(pathToFileURL(join(root, 'packages/stack/dist/index.js')).href)) as StackModule;
const stack = await startStack({
  env: process.env,
  port: Number(port),
  host: '127.0.0.1',
  dataDir,
  print: () => undefined,
});
process.stdout.write(`${JSON.stringify({ url: stack.url, processes: Object.fromEntries(stack.processes) })}\n`);
process.once('SIGTERM', () => {
  void stack.stop().then(() => process.exit(0));
});
