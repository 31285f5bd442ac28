/**
 * The trash's words (휴지통), in its own chunk with trash.ts and trash-view.ts: the first visit does
 * not carry them. Korean is the source of truth: English names exactly the same keys (the type).
 */
const ko = {
  note: '지운 메모는 {days}일 동안 여기 있다가 사라집니다. 휴지통의 메모도 저장 공간에 포함됩니다.',
  empty: '휴지통이 비어 있습니다.',
  count: '메모 {n}개',
  deleted: '{when} 삭제',
  restore: '되살리기',
  restoreLabel: '이 메모 되살리기: {text}',
  purge: '영구 삭제',
  purgeLabel: '이 메모 영구 삭제: {text}',
  emptyAll: '휴지통 비우기',
  confirm: '휴지통의 메모 {n}개를 영구히 삭제할까요? 되돌릴 수 없습니다.',
  restored: '메모를 되살렸습니다. 목록 맨 위에 있습니다.',
  purged: '메모를 영구히 삭제했습니다.',
  emptied: '휴지통을 비웠습니다.',
};

export type TrashWords = typeof ko;

const en: TrashWords = {
  note: 'Deleted memos stay here for {days} days, then go. Memos in the trash count toward your storage.',
  empty: 'The trash is empty.',
  count: '{n} memos',
  deleted: 'deleted {when}',
  restore: 'Restore',
  restoreLabel: 'Restore this memo: {text}',
  purge: 'Delete forever',
  purgeLabel: 'Delete this memo forever: {text}',
  emptyAll: 'Empty the trash',
  confirm: 'Delete the {n} memos in the trash forever? This cannot be undone.',
  restored: 'Memo restored. It is at the top of the list.',
  purged: 'Memo deleted forever.',
  emptied: 'The trash is empty now.',
};

export const TRASH_WORDS = { ko, en } as const;
