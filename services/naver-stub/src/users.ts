/**
 * The test people the stand-in offers. Some are awkward on purpose, as real Naver accounts
 * are: no consented name, nothing but an id, a numeric id from an old app, and scenarios
 * that make Naver fail in each of the ways the field notes list.
 */

export type Scenario = 'ok' | 'token_error' | 'token_500' | 'profile_024' | 'profile_500' | 'slow';

export interface TestUser {
  key: string;
  label: string;
  id: string | number;
  name?: string;
  nickname?: string;
  email?: string;
  scenario: Scenario;
}

export const USERS: readonly TestUser[] = [
  {
    key: 'hong',
    label: '홍길동',
    id: 'hGd7Qk2nZ0vXo3mPq8rTs1uVw4yAbCdEfGhIjKlMnOp',
    name: '홍길동',
    nickname: '길동',
    email: 'hong@example.com',
    scenario: 'ok',
  },
  {
    key: 'kim',
    label: '김민지',
    id: 'kMj5Lp9sRt2uVw6xYz0aBc3dEf7gHi1jKl4mNo8pQr2',
    name: '김민지',
    nickname: '민지',
    scenario: 'ok',
  },
  { key: 'lee', label: '이서준', id: 'lSj3Nq7wEr1tYu5iOp9aSd2fGh6jKl0zXc4vBn8mQw1', name: '이서준', scenario: 'ok' },
  {
    key: 'park',
    label: '박지민 (이름 제공 안 함)',
    id: 'pJm1Aa2Bb3Cc4Dd5Ee6Ff7Gg8Hh9Ii0Jj1Kk2Ll3Mm4',
    nickname: '지민',
    scenario: 'ok',
  },
  { key: 'choi', label: '최오래 (예전 앱의 숫자 id)', id: 12345678, name: '최오래', scenario: 'ok' },
  { key: 'anon', label: '정보 제공 안 함', id: 'aNn0Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7', scenario: 'ok' },
];

export const SCENARIOS: readonly TestUser[] = [
  { key: 'token_error', label: '토큰 발급 실패 (200 + error)', id: 'sTokenErr', name: '실패', scenario: 'token_error' },
  { key: 'token_500', label: '네이버 서버 오류 (500)', id: 'sToken500', name: '실패', scenario: 'token_500' },
  {
    key: 'profile_024',
    label: '프로필 인증 실패 (401, 024)',
    id: 'sProfile024',
    name: '실패',
    scenario: 'profile_024',
  },
  { key: 'profile_500', label: '프로필 서버 오류 (500)', id: 'sProfile500', name: '실패', scenario: 'profile_500' },
  { key: 'slow', label: '응답 지연 (시간 초과)', id: 'sSlow', name: '느림', scenario: 'slow' },
];

export function findUser(key: string): TestUser | undefined {
  return [...USERS, ...SCENARIOS].find((u) => u.key === key);
}
