/**
 * What memo-service's API answers, as types the service and the page both import (the page's
 * bundle takes types only from here). api/openapi.yaml describes the same, and the tests check
 * every answer against it.
 */

/** A memo as the API shows it. */
export interface Memo {
  id: string;
  text: string;
  createdAt: string | null;
  updatedAt: string | null;
  /** When it was pinned; absent when it is not. */
  pinnedAt?: string;
}

/** How much of one quota is used. */
export interface Quota {
  used: number;
  limit: number;
}

export interface Usage {
  memos: Quota;
  bytes: Quota;
}

/** The limits the page shows and checks before sending (the server checks them again). */
export interface Limits {
  /** Characters (code points) a memo may hold: MEMO_MAX_LENGTH. */
  memoLength: number;
  /** Days a deleted memo stays in the trash: TRASH_DAYS (0: deletes are final). */
  trashDays: number;
  /** Earlier versions kept of an edited memo: HISTORY_VERSIONS (0: none). Absent from older servers. */
  historyVersions?: number;
  /** Whether memos can be shared by link: SHARING. Absent from older servers. */
  sharing?: boolean;
}

/** One page of memos, newest first (pinned ones first on the first page). */
export interface Page {
  memos: Memo[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
  usage: Usage;
  /** The server's limits (every page carries them). */
  limits?: Limits;
}

/** A memo in the trash, and when it was deleted. */
export interface TrashedMemo extends Memo {
  deletedAt: string;
}

/** An archived memo (보관), and when it was archived. */
export interface ArchivedMemo extends Memo {
  archivedAt: string;
}

/** One page of the archive: the last archived first, or (by tag) in the list's order. */
export interface ArchivePage {
  memos: ArchivedMemo[];
  /** Archived memos in all (of the tag, with one). */
  total: number;
  /** Pass back as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

/** One page of the trash, the last deleted first. */
export interface TrashPage {
  memos: TrashedMemo[];
  /** Memos in the trash now. */
  total: number;
  /** Pass back as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
  /** Days a deleted memo stays there. */
  days: number;
}

/** An earlier text of a memo, kept by its history. */
export interface MemoVersion {
  /** Its number, counted up by every edit of the memo (a restore of it is an edit too). */
  n: number;
  text: string;
  /** When this text was written (the memo's creation or the edit that made it); null if not known. */
  at: string | null;
  /** When an edit replaced it. */
  replacedAt: string;
}

/** A memo and its earlier versions, the newest first. */
export interface MemoHistory {
  memo: Memo;
  versions: MemoVersion[];
  /** How many versions a memo keeps at most. */
  keep: number;
}

/** What a quota refusal says: which quota, and how much of each is used and left. */
export interface QuotaRefusal {
  reached: 'memos' | 'bytes';
  memos: Quota & { remaining: number };
  bytes: Quota & { remaining: number };
}

/** A share link (공유) of one memo: `<publicUrl>s/<token>` shows it, read only, to anyone. */
export interface ShareLink {
  memoId: string;
  /** 144 random bits, Base64url: the link's only secret. */
  token: string;
  createdAt: string;
  /** When the link stops opening; null: until it is revoked. */
  expiresAt: string | null;
}

/** A user's links, the newest first, each with the start of its memo's text. */
export interface ShareList {
  links: (ShareLink & { title: string })[];
  /** Links a user may have at once. */
  max: number;
}

/** What a share link shows: the memo's text and times, nothing else of its owner. */
export interface SharedMemo {
  text: string;
  createdAt: string | null;
  updatedAt: string | null;
  expiresAt: string | null;
}
