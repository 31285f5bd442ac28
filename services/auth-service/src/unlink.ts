import { createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Naver's unlink notice (연결끊기 Callback): when a person withdraws their consent on Naver's
 * side, Naver POSTs `clientId`, `encryptUniqueId`, `timestamp` (Unix seconds) and `signature`.
 * Per Naver's developer guide (§ "연결 끊기 알림"): the key is the first 16 bytes of
 * MD5(client secret); `encryptUniqueId` is URL-safe Base64 of a 16-byte IV followed by the
 * AES-128-CBC (PKCS#5) encryption of the person's unique id; `signature` is URL-safe Base64 of
 * HMAC-SHA256 over `clientId=…&encryptUniqueId=…&timestamp=…` with the same key. (The stand-in
 * sends such notices: services/naver-stub/src/unlink.ts.)
 */

export interface UnlinkNotice {
  clientId: string;
  encryptUniqueId: string;
  timestamp: string;
  signature: string;
}

const keyOf = (clientSecret: string): Buffer => createHash('md5').update(clientSecret, 'utf8').digest().subarray(0, 16);

const signed = (n: Omit<UnlinkNotice, 'signature'>): string =>
  `clientId=${n.clientId}&encryptUniqueId=${n.encryptUniqueId}&timestamp=${n.timestamp}`;

const fromBase64Url = (s: string): Buffer => Buffer.from(s.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url');

/**
 * An HMAC-SHA256 in Base64, exactly: 43 characters of either alphabet and at most its one `=`.
 * Node's decoder skips what it does not know (a space, a `.`, more `=`), so without this the
 * same MAC could be sent in many spellings, each looking new to the replay check.
 */
const SIGNATURE = /^[\w+/-]{42}[AEIMQUYcgkosw048]=?$/;
export type UnlinkCheck =
  /** `mac`: the signature's bytes, the same however they were encoded (what replays are told by). */
  | { ok: true; userId: string; mac: Buffer }
  | { ok: false; reason: 'malformed' | 'wrong_client' | 'bad_signature' | 'stale' | 'undecryptable' };

/**
 * Checks a notice: our client id, a signature made with our secret (compared in constant
 * time), a timestamp within `windowSeconds` of now, and an id that decrypts. Replays are the
 * caller's to refuse (it remembers the MACs, `mac`, for the window).
 */
export function checkUnlink(
  body: unknown,
  clientId: string,
  clientSecret: string,
  windowSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): UnlinkCheck {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const { clientId: id, encryptUniqueId: enc, timestamp, signature } = fields;
  if (
    typeof id !== 'string' ||
    typeof enc !== 'string' ||
    typeof timestamp !== 'string' ||
    typeof signature !== 'string' ||
    !/^\d{1,12}$/.test(timestamp) ||
    enc.length > 1024 ||
    !SIGNATURE.test(signature)
  ) {
    return { ok: false, reason: 'malformed' };
  }
  if (id !== clientId) return { ok: false, reason: 'wrong_client' };
  const expected = createHmac('sha256', keyOf(clientSecret))
    .update(signed({ clientId: id, encryptUniqueId: enc, timestamp }), 'utf8')
    .digest();
  const given = fromBase64Url(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  if (Math.abs(nowSeconds - Number(timestamp)) > windowSeconds) return { ok: false, reason: 'stale' };
  try {
    const raw = fromBase64Url(enc);
    if (raw.length < 32) return { ok: false, reason: 'undecryptable' };
    const decipher = createDecipheriv('aes-128-cbc', keyOf(clientSecret), raw.subarray(0, 16));
    const userId = Buffer.concat([decipher.update(raw.subarray(16)), decipher.final()]).toString('utf8');
    return userId ? { ok: true, userId, mac: given } : { ok: false, reason: 'undecryptable' };
  } catch {
    return { ok: false, reason: 'undecryptable' };
  }
}
