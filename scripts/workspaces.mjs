// The workspaces an image of a service is built from: the @memo packages it depends on (with
// theirs), then the service itself; printed as `-w <dir>` arguments for npm. Used by the
// Dockerfile: `node scripts/workspaces.mjs memo-service` → `-w packages/common -w packages/store
// -w services/memo-service`; `--dirs` prints the directories alone.
import { readFileSync } from 'node:fs';

const [service, flag] = process.argv.slice(2);
if (!service) throw new Error('usage: node scripts/workspaces.mjs <service> [--dirs]');
const order = [];
const visit = (dir) => {
  if (order.includes(dir)) return;
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
  for (const name of Object.keys(pkg.dependencies ?? {})) {
    if (name.startsWith('@memo/')) visit(`packages/${name.slice('@memo/'.length)}`);
  }
  order.push(dir);
};
visit(`services/${service}`);
console.log(flag === '--dirs' ? order.join(' ') : order.map((dir) => `-w ${dir}`).join(' '));
