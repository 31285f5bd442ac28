// The memo store lives in store/ (by concern: memos, pins, tags, imports, moves; scripts in
// ../commands/*.lua). This module is its public face for the service, its tools and tests.
export * from './store/index.js';
