import type { Redis } from 'ioredis';
import { SERVICE_USERS, aclRules, type ServiceUser } from '@memo/stack';

/**
 * The services' Redis users as the chart makes them (helm/memo/files/redis-users.acl, parsed by
 * @memo/stack, which `npm start` uses too): each test run makes them on its Redis and runs
 * memo- and auth-service as them, so a command or key a service needs and is not given fails
 * the run.
 */

/** Makes (or remakes) each user from the file on `redis`, with the password given for it. */
export async function makeServiceUsers(redis: Redis, passwords: Readonly<Record<ServiceUser, string>>): Promise<void> {
  const rules = aclRules();
  for (const name of SERVICE_USERS) {
    const own = rules.get(name);
    if (!own) throw new Error(`redis-users.acl has no rules for ${name}`);
    // Made anew, as redis-server makes it from the chart's `--user` arguments.
    await redis.call('ACL', 'DELUSER', name);
    await redis.call('ACL', 'SETUSER', name, 'on', `>${passwords[name]}`, ...own);
  }
}

/** What Redis refused the services' users (its ACL LOG), one line each. */
export async function refusals(redis: Redis): Promise<string[]> {
  const entries = (await redis.call('ACL', 'LOG')) as unknown[][];
  const lines: string[] = [];
  for (const entry of entries) {
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < entry.length; i += 2) fields.set(String(entry[i]), entry[i + 1]);
    const username = String(fields.get('username'));
    if (!(SERVICE_USERS as readonly string[]).includes(username)) continue;
    const info = String(fields.get('client-info'));
    const command = /\bcmd=(\S+)/.exec(info)?.[1] ?? '?';
    lines.push(
      `${username}: ${String(fields.get('reason'))} ${String(fields.get('object'))} (${command}, ${String(fields.get('context'))}, ×${String(fields.get('count'))})`,
    );
  }
  return lines;
}
