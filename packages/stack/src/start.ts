import { resolve } from 'node:path';
import { ConfigError, int, loadConfig, str } from '@memo/common';
import { startStack } from './stack.js';
import { prettyLines } from './pretty.js';

/** `npm start`: the whole stack on this machine, stopped by Ctrl-C or SIGTERM. */
const began = performance.now();
let config;
try {
  config = loadConfig({
    PORT: int({ default: 8080, min: 0, max: 65535 }),
    GATEWAY_HOST: str({ default: '127.0.0.1' }),
    DATA_DIR: str({ default: '.data' }),
  });
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`memo: configuration error: ${err.message}\n`);
  process.exit(78);
}

const print = prettyLines(process.stdout);
const stack = await startStack({
  env: process.env,
  port: config.PORT,
  host: config.GATEWAY_HOST,
  dataDir: resolve(config.DATA_DIR),
  print,
}).catch((err: unknown) => {
  process.stderr.write(`memo: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

print(`memo is ready in ${Math.round(performance.now() - began)} ms: open ${stack.url}`);

let stopping = false;
const shutdown = (code: number): void => {
  if (stopping) return;
  stopping = true;
  print('memo: stopping…');
  stack.stop().then(
    () => process.exit(code),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
process.on('SIGHUP', () => shutdown(0));
// Whatever started the launcher may end without telling it: npm passes a SIGTERM to the shell
// it runs a script with, and a shell killed outright passes on nothing. The launcher is then
// handed to init (or a subreaper) and would keep the whole stack running, unseen. So it watches
// its parent and stops the stack, as on SIGTERM, once that parent is gone.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid === parent) return;
  print('memo: what started it is gone');
  shutdown(0);
}, 250).unref();
void stack.failed.then((name) => {
  if (stopping) return;
  process.stderr.write(`memo: ${name} stopped unexpectedly; stopping the rest\n`);
  shutdown(1);
});
