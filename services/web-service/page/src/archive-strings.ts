/**
 * The archive's words (보관함), in its own chunk with archive.ts and archive-view.ts: the first
 * visit does not carry them. Korean is the source of truth: English names exactly the same keys.
 */
const ko = {
  note: '보관한 메모는 목록과 태그에서 빠지지만 지워지지 않으며 저장 공간에 포함됩니다.',
  tagNote: '#{tag} 태그의 보관한 메모',
  empty: '보관한 메모가 없습니다.',
  count: '메모 {n}개',
  archivedAt: '{when} 보관',
  search: '보관한 메모 검색',
  noMatch: '검색과 맞는 보관 메모가 없습니다.',
  restore: '보관 해제',
  restoreLabel: '이 메모 보관 해제: {text}',
  restored: '보관을 해제했습니다. 목록 맨 위에 있습니다.',
  remove: '삭제',
  removeLabel: '이 메모 삭제: {text}',
};

export type ArchiveWords = typeof ko;

const en: ArchiveWords = {
  note: 'Archived memos leave the list and the tags but are not deleted, and count toward your storage.',
  tagNote: 'Archived memos tagged #{tag}',
  empty: 'No archived memos.',
  count: '{n} memos',
  archivedAt: 'archived {when}',
  search: 'Search archived memos',
  noMatch: 'No archived memo matches the search.',
  restore: 'Unarchive',
  restoreLabel: 'Unarchive this memo: {text}',
  restored: 'Memo unarchived. It is at the top of the list.',
  remove: 'Delete',
  removeLabel: 'Delete this memo: {text}',
};

export const ARCHIVE_WORDS = { ko, en } as const;
