import { createHash } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';

/**
 * Every Redis key of every service, named once (the way bullmq's queue-keys.ts names a queue's):
 * what each holds and why is in docs/data.md, whose table is checked against KEY_PATTERNS.
 *
 * A user's keys share the hash tag `{memo:<id>}`, whose Cluster slot is the slot of the original
 * app's own key `memo:<id>`: every key of a user, old and new, lives in one slot, so each
 * operation on a user is one script on one node.
 */

/**
 * Naver ids are `[\w.=+/-]{1,64}`: never a brace (which would change the hash tag) nor a
 * space. A session only carries ids auth-service stored, but the rule is checked where keys
 * are made.
 */
const SAFE_USER = /^[^{}\s]{1,128}$/;

/** The Redis Cluster hash tag of a user's keys, `{memo:<id>}`. */
export function userTag(userId: string): string {
  if (!SAFE_USER.test(userId)) throw new Error('user id not usable in a key');
  return `{memo:${userId}}`;
}

/** The keys of a user's memos (data layout 2, docs/data.md): the order, and beside it in its slot. */
export interface MemoKeys {
  /** The order (the original's key). */
  list: string;
  older: string;
  memos: string;
  meta: string;
  /** Pinned ids, scored by when they were pinned (a sorted set, at most PIN_MAX). */
  pins: string;
  /** Tag → how many memos carry it (a sorted set); each tag's memos are under `tagKey`. */
  tags: string;
  /** Idempotency key of an add → the memo it made (a hash), the last IDEMPOTENCY_KEEP only. */
  idempotency: string;
  /** The same keys by when they were used (a sorted set), to forget the oldest. */
  idempotencyAt: string;
  /** Held while one of the user's heavy requests (export, import, rename) runs, on any replica. */
  busy: string;
  /** The first page as last sent, answered as it is until a write (a hash; it expires). */
  firstPage: string;
  /** Deleted memos for their days in the trash: memo id → entry (a hash; it expires as a whole). */
  trash: string;
  /** The same memos by when they were deleted (ms, a sorted set), to list and to expire them. */
  trashAt: string;
  /**
   * Earlier versions of edited memos (a hash): `<memo id>` → which are kept (the last one's
   * number, then each one's size, oldest first), `<memo id>:<n>` → version n. At most the
   * quotas' `historyVersions` a memo; their bytes count in the usage.
   */
  history: string;
  /** Archived memos (보관): memo id → entry (a hash); still counted in the usage. */
  archive: string;
  /** The same memos by when they were archived (ms, a sorted set), to list them. */
  archiveAt: string;
  /** Their tags: `<tag>:<seq>:<memo id>` members (a sorted set, all scored 0), found by tag in lexical order. */
  archiveTags: string;
  /**
   * Share links (공유): memo id → `<token> <created ms> <expires ms or 0>` (a hash; at most the
   * sharing's per-user limit). The one place a link is valid: its lookup key (`shareKey`) only
   * finds the user.
   */
  shares: string;
}

export function memoKeys(userId: string): MemoKeys {
  const tag = userTag(userId);
  return {
    list: `memo:${userId}`,
    older: `${tag}:older`,
    memos: `${tag}:memos`,
    meta: `${tag}:meta`,
    pins: `${tag}:pins`,
    tags: `${tag}:tags`,
    idempotency: `${tag}:idem`,
    idempotencyAt: `${tag}:idem:at`,
    busy: `${tag}:busy`,
    firstPage: `${tag}:page1`,
    trash: `${tag}:trash`,
    trashAt: `${tag}:trash:at`,
    history: `${tag}:history`,
    archive: `${tag}:archive`,
    archiveAt: `${tag}:archive:at`,
    archiveTags: `${tag}:archive:tags`,
    shares: `${tag}:shares`,
  };
}

/**
 * The memos carrying one tag (a sorted set: memo id by its place in the order). The tag is the
 * rest of the key after `<tags key>:`, so a script can tell it from the key.
 */
export const tagKey = (userId: string, tag: string): string => `${memoKeys(userId).tags}:${tag}`;

/** Where auth-service keeps a user's Naver tokens, encrypted, so that deleting the account can revoke them. */
export const naverTokensKey = (userId: string): string => `${userTag(userId)}:naver`;

/** A user's profile (`{"name","updatedAt"}`, auth-service); outside the user's slot, as before. */
export const profileKey = (userId: string): string => `user:${userId}`;

/** Where the original app kept a user's name: the bare id (still read, deleted at 회원 탈퇴). */
export const legacyNameKey = (userId: string): string => userId;

/**
 * A share link's lookup key: `<memo id> <user id>`, expiring with the link. Outside the user's
 * slot (a token cannot name a slot without naming the user); what it points at is only shown
 * while the user's `shares` hash holds the same token (share-open.lua).
 */
export const shareKey = (token: string): string => `share:${token}`;

/** A rate-limit counter's prefix (rate-limiter-flexible appends `:<subject>`). */
export const rateLimitPrefix = (name: string): string => `ratelimit:${name}`;

/** Where a live session is kept (its value: the user id); logout deletes it. */
export const sessionKey = (userId: string, sessionId: string): string => `${userTag(userId)}:session:${sessionId}`;
/** The user's sessions, by creation: bounded, and how "sign out everywhere" finds them. */
export const sessionsKey = (userId: string): string => `${userTag(userId)}:sessions`;
/**
 * Where sessions were kept before they moved into their user's slot. Still honoured until the
 * last of them expires (SESSION_TTL_SECONDS after the upgrade), so an upgrade signs nobody out.
 */
export const legacySessionKey = (sessionId: string): string => `session:${sessionId}`;

/** Hash tags found so far, by the Cluster slot they hash to (see slotTag). */
const slotTags = new Map<number, string>();

/**
 * A short hash tag whose Cluster slot is `slot`: a key named with it lives beside the user's
 * keys without naming the user. Found by trying `0`, `1`, … in base 36 (16,384 tries on
 * average, ~2 ms) once per slot, then remembered.
 */
function slotTag(slot: number): string {
  let tag = slotTags.get(slot);
  for (let i = 0; tag === undefined; i += 1) {
    const candidate = i.toString(36);
    if (calculateSlot(candidate) === slot) tag = candidate;
  }
  slotTags.set(slot, tag);
  return tag;
}

/**
 * When the user's sessions were last ended all at once (회원 탈퇴, Naver's unlink), in ms: a
 * session minted before it is void. Sessions in the user's slot are deleted outright then; this
 * mark is for those minted before sessions moved there (`legacySessionKey`), which cannot be
 * found by user. It holds only the time and expires with the longest such session. It lives in
 * the user's slot (the write scripts read it) under a tag of that slot and a digest of the id,
 * so that after 회원 탈퇴 no key names the person.
 */
export function sessionsEndedKey(userId: string): string {
  const tag = slotTag(calculateSlot(userTag(userId)));
  return `{${tag}}:ended:${createHash('sha256').update(userId, 'utf8').digest('base64url').slice(0, 22)}`;
}

/**
 * Every key that holds something of one user, but for the sessions themselves (their ids are in
 * `sessionsKey`) and the tags' memo sets (named in `memo.tags`): what deleting the account
 * removes. The profile and the original app's bare name key are outside the user's slot.
 */
export function accountKeys(userId: string): string[] {
  const memo = memoKeys(userId);
  return [
    memo.list,
    memo.older,
    memo.memos,
    memo.meta,
    memo.pins,
    memo.tags,
    memo.idempotency,
    memo.idempotencyAt,
    memo.busy,
    memo.firstPage,
    memo.trash,
    memo.trashAt,
    memo.history,
    memo.archive,
    memo.archiveAt,
    memo.archiveTags,
    memo.shares,
    sessionsKey(userId),
    naverTokensKey(userId),
    profileKey(userId),
    legacyNameKey(userId),
    `${rateLimitPrefix('memo-writes')}:${userId}`,
  ];
}

/** Logins in progress: state → where to return, and state → start time (auth-service). */
export const LOGIN_STATES_KEY = '{oauth}:states';
export const LOGIN_STATE_TIMES_KEY = '{oauth}:states:at';
/** Where a login's state was kept before (a key each): read once more during an upgrade. */
export const legacyLoginStateKey = (state: string): string => `oauth:state:${state}`;

/** A Naver unlink notice handled, by its MAC (refuses replays for twice the time window). */
export const unlinkSeenKey = (mac: string): string => `naver:unlink:${mac}`;

/** An append-only file rewrite is due (after an account deletion), and who is doing it. */
export const AOF_REWRITE_DUE_KEY = 'memo:aof-rewrite:due';
export const AOF_REWRITE_LOCK_KEY = 'memo:aof-rewrite:lock';

/**
 * Every key's shape as docs/data.md's table names it (a test holds the two together): `<…>` for
 * what varies. One entry per row of that table.
 */
export const KEY_PATTERNS: readonly string[] = [
  'memo:<id>',
  '{memo:<id>}:memos',
  '{memo:<id>}:meta',
  '{memo:<id>}:older',
  '{memo:<id>}:pins',
  '{memo:<id>}:tags',
  '{memo:<id>}:tags:<tag>',
  '{memo:<id>}:idem',
  '{memo:<id>}:idem:at',
  '{memo:<id>}:trash',
  '{memo:<id>}:trash:at',
  '{memo:<id>}:history',
  '{memo:<id>}:archive',
  '{memo:<id>}:archive:at',
  '{memo:<id>}:archive:tags',
  '{memo:<id>}:shares',
  'share:<token>',
  '{memo:<id>}:busy',
  '{memo:<id>}:page1',
  '{memo:<id>}:naver',
  '{memo:<id>}:session:<sid>',
  '{memo:<id>}:sessions',
  '{<tag>}:ended:<digest>',
  'user:<id>',
  '<id>',
  'session:<sid>',
  '{oauth}:states',
  '{oauth}:states:at',
  'oauth:state:<state>',
  'ratelimit:<name>:<subject>',
  'naver:unlink:<mac>',
  'memo:aof-rewrite:due',
  'memo:aof-rewrite:lock',
];
