import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The services' Redis users as the chart makes them (helm/memo/files/redis-users.acl, the one
 * list; docs/data.md "Redis users"): `npm start` and the tests make the same ones.
 */

const ACL_FILE = fileURLToPath(new URL('../../../helm/memo/files/redis-users.acl', import.meta.url));

/** The services that connect to Redis, by the name of their Redis user. */
export const SERVICE_USERS = ['memo-service', 'auth-service'] as const;
export type ServiceUser = (typeof SERVICE_USERS)[number];

/**
 * Each user's rules from the file, in order: a user's lines add up, and a selector
 * (`(~* +get)`) is one rule, as `ACL SETUSER` and redis-server's `--user` take it.
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

/** A new random password for each service's user. */
export function newServicePasswords(): Record<ServiceUser, string> {
  return Object.fromEntries(SERVICE_USERS.map((user) => [user, randomBytes(16).toString('hex')])) as Record<
    ServiceUser,
    string
  >;
}

/** redis-server arguments that make each service's user with its password. */
export function serviceUserArgs(passwords: Readonly<Record<ServiceUser, string>>): string[] {
  const rules = aclRules();
  return SERVICE_USERS.flatMap((name) => ['--user', name, 'on', `>${passwords[name]}`, ...(rules.get(name) ?? [])]);
}
