/**
 * The history's words (편집 기록), in its own chunk with history.ts and history-view.ts: the first
 * visit does not carry them. Korean is the source of truth: English names exactly the same keys.
 */
const ko = {
  title: '편집 기록',
  note: '고칠 때마다 이전 내용을 메모마다 최근 {keep}개까지 보관합니다. 기록도 저장 공간에 포함되며, 메모를 지우면 함께 사라집니다.',
  none: '이전 버전이 없습니다.',
  current: '지금 내용',
  version: '{n}번째 버전',
  written: '{when} 작성',
  replaced: '{when} 바뀜',
  changes: '이 버전에서 바뀐 내용',
  removed: '삭제됨',
  added: '추가됨',
  restore: '되돌리기',
  restoreLabel: '{n}번째 버전으로 되돌리기',
  forget: '기록 지우기',
  confirmForget: '이 메모의 이전 버전 {n}개를 지울까요? 되돌릴 수 없습니다.',
  close: '닫기',
  restored: '이전 버전으로 되돌렸습니다. 되돌리기 전 내용은 기록에 남아 있습니다.',
  forgotten: '편집 기록을 지웠습니다.',
};

export type HistoryWords = typeof ko;

const en: HistoryWords = {
  title: 'Edit history',
  note: 'Every edit keeps the earlier text, the last {keep} of each memo. The history counts toward your storage and goes when the memo is deleted.',
  none: 'No earlier versions.',
  current: 'Now',
  version: 'Version {n}',
  written: 'written {when}',
  replaced: 'replaced {when}',
  changes: 'What changed after this version',
  removed: 'removed',
  added: 'added',
  restore: 'Restore',
  restoreLabel: 'Restore version {n}',
  forget: 'Clear history',
  confirmForget: 'Clear the {n} earlier versions of this memo? This cannot be undone.',
  close: 'Close',
  restored: 'Earlier version restored. The text before it is kept in the history.',
  forgotten: 'Edit history cleared.',
};

export const HISTORY_WORDS = { ko, en } as const;
