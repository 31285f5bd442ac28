/**
 * The words of 가져오기's answer and of 회원 탈퇴's dialog, in their chunk with
 * account-actions.ts: the first visit does not carry them. Korean is the source of truth: English
 * names exactly the same keys.
 */
const ko = {
  imported: '메모 {n}개를 가져왔습니다. (이미 있던 {skipped}개는 그대로 두었습니다)',
  deleteTitle: '회원 탈퇴',
  deleteText: '메모 {n}개와 이름, 모든 기기의 로그인 정보가 삭제되며 되돌릴 수 없습니다. 네이버와의 연결도 끊습니다.',
  deleteConfirm: '탈퇴하고 모두 삭제',
  accountDeleted: '탈퇴했습니다. 모든 정보를 삭제했습니다.',
};

export type AccountWords = typeof ko;

const en: AccountWords = {
  imported: 'Imported {n} memos ({skipped} already there were left as they are).',
  deleteTitle: 'Delete account',
  deleteText:
    'Your {n} memos, your name and your logins on every device will be deleted, and this cannot be undone. The link to Naver is cut too.',
  deleteConfirm: 'Delete everything',
  accountDeleted: 'Your account and everything in it were deleted.',
};

export const ACCOUNT_WORDS = { ko, en } as const;
