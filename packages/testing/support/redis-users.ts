import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

/**
 * The services' Redis users as the chart makes them (helm/memo/files/redis-users.acl), for the
 * tests: each test run makes them on its Redis and runs memo- and auth-service as them, so a
 * command or key a service needs and is not given fails the run.
 */

export const ACL_FILE = fileURLToPath(new URL('../../../helm/memo/files/redis-users.acl', import.meta.url));

/** The services that connect to Redis, by the name of their Redis user. */
export const SERVICE_USERS = ['memo-service', 'auth-service'] as const;
export type ServiceUser = (typeof SERVICE_USERS)[number];

/**
 * Each user's rules from the file, in order: a user's lines add up, and a selector
 * (`(~* +get)`) is one rule, as `ACL SETUSER` takes it.
 */
export function aclRules(text = readFileSync(ACL_FILE, 'utf8')): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [name = '', ...words] = line.split(/\s+/);
    const rules = users.get(name) ?? [];
    let selector: string[] | undefined;
    for (const word of words) {
      if (selector) {
        selector.push(word);
        if (word.endsWith(')')) {
          rules.push(selector.join(' '));
          selector = undefined;
        }
      } else if (word.startsWith('(') && !word.endsWith(')')) {
        selector = [word];
      } else {
        rules.push(word);
      }
    }
    if (selector) throw new Error(`${ACL_FILE}: a selector of ${name} is not closed`);
    users.set(name, rules);
  }
  return users;
}

/** Makes (or remakes) each user from the file on `redis`, with the password given for it. */
export async function makeServiceUsers(redis: Redis, passwords: Readonly<Record<ServiceUser, string>>): Promise<void> {
  const rules = aclRules();
  for (const name of SERVICE_USERS) {
    const own = rules.get(name);
    if (!own) throw new Error(`${ACL_FILE} has no rules for ${name}`);
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
