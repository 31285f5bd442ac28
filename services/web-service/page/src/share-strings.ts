/**
 * The share dialog's words (공유), in its own chunk with share.ts and share-view.ts: the first
 * visit does not carry them. Korean is the source of truth: English names exactly the same keys.
 */
const ko = {
  title: '공유 링크',
  note: '링크를 가진 사람은 누구나 로그인 없이 이 메모를 읽을 수 있습니다. 고친 내용도 보입니다. 이름, 다른 메모, 태그 목록은 보이지 않습니다.',
  link: '이 메모의 링크',
  copy: '복사',
  copyLabel: '링크 복사',
  copied: '링크를 복사했습니다.',
  selected: '링크를 선택했습니다. 복사해 쓰세요.',
  until: '{when}까지 열립니다.',
  forever: '공유를 중지할 때까지 열립니다.',
  stop: '공유 중지',
  stopLabel: '“{title}” 공유 중지',
  stopped: '공유를 중지했습니다. 링크는 이제 열리지 않습니다.',
  expiry: '공유 기간',
  never: '중지할 때까지',
  days: '{n}일',
  make: '링크 만들기',
  made: '공유 링크를 만들었습니다.',
  mine: '내 공유 링크 ({n}/{max})',
  none: '공유 중인 메모가 없습니다.',
  open: '열기',
  openLabel: '“{title}” 공유 링크 열기',
  full: '공유 링크는 {max}개까지 만들 수 있습니다. 다른 링크의 공유를 중지한 뒤 만들어 주세요.',
  close: '닫기',
};

export type ShareWords = typeof ko;

const en: ShareWords = {
  title: 'Share link',
  note: 'Anyone with the link can read this memo without logging in, edits included. Your name, other memos and tags are not shown.',
  link: 'Link to this memo',
  copy: 'Copy',
  copyLabel: 'Copy the link',
  copied: 'Link copied.',
  selected: 'Link selected: copy it from there.',
  until: 'Opens until {when}.',
  forever: 'Opens until you stop sharing.',
  stop: 'Stop sharing',
  stopLabel: 'Stop sharing “{title}”',
  stopped: 'Sharing stopped. The link opens nothing now.',
  expiry: 'Share for',
  never: 'Until I stop',
  days: '{n} days',
  make: 'Make a link',
  made: 'Share link made.',
  mine: 'My share links ({n}/{max})',
  none: 'No memo is shared.',
  open: 'Open',
  openLabel: 'Open the share link of “{title}”',
  full: 'You can have at most {max} share links. Stop sharing another memo first.',
  close: 'Close',
};

export const SHARE_WORDS = { ko, en } as const;
