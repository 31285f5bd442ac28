import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Naver's side of the unlink notice (연결끊기 알림), as Naver's developer guide describes it:
 * the key is the first 16 bytes of MD5(client secret); the person's id is sent as URL-safe
 * Base64 of a random 16-byte IV and its AES-128-CBC encryption; the signature is URL-safe
 * Base64 of HMAC-SHA256 over `clientId=…&encryptUniqueId=…&timestamp=…`.
 */
export interface UnlinkNotice {
  clientId: string;
  encryptUniqueId: string;
  timestamp: string;
  signature: string;
}

export function unlinkNotice(
  clientId: string,
  clientSecret: string,
  userId: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): UnlinkNotice {
  const key = createHash('md5').update(clientSecret, 'utf8').digest().subarray(0, 16);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  const encryptUniqueId = Buffer.concat([iv, cipher.update(userId, 'utf8'), cipher.final()]).toString('base64url');
  const timestamp = String(nowSeconds);
  const signature = createHmac('sha256', key)
    .update(`clientId=${clientId}&encryptUniqueId=${encryptUniqueId}&timestamp=${timestamp}`, 'utf8')
    .digest('base64url');
  return { clientId, encryptUniqueId, timestamp, signature };
}
