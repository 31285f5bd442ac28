import { describe, expect, it } from 'vitest';
import { inclusiveProfile, splitProfile } from '../src/profile.js';

/**
 * How `npm run bench -- --profile` splits memo-service's CPU: by the innermost frame that names
 * a package or our code (self), and by every part on the stack (inclusive). A synthetic profile:
 * root → our route → helmet → node's setHeader; root → route → JSON.stringify; GC; idle.
 */
const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url },
  children,
});
const PROFILE = {
  startTime: 0,
  endTime: 1_000,
  nodes: [
    frame(1, '(root)', '', [2, 6, 7]),
    frame(2, 'list', 'file:///app/services/memo-service/dist/routes.js', [3, 5]),
    frame(3, 'helmetMiddleware', 'file:///app/node_modules/helmet/index.mjs', [4]),
    frame(4, 'setHeader', 'node:_http_outgoing'),
    frame(5, 'stringify', ''),
    frame(6, '(garbage collector)', ''),
    frame(7, '(idle)', ''),
  ],
  // µs per sample: setHeader 100 + 50, stringify 30, the route itself 20, GC 40, idle 500.
  samples: [4, 4, 5, 2, 6, 7],
  timeDeltas: [100, 50, 30, 20, 40, 500],
};

describe('the profile split', () => {
  it('gives each sample to the innermost part that names it, and leaves idle out', () => {
    expect(Object.fromEntries(splitProfile(PROFILE))).toEqual({
      'node (http, net, streams)': 150,
      'JSON (parse, stringify)': 30,
      'memo-service': 20,
      'garbage collector': 40,
    });
  });

  it('counts, inclusive, every part on a sample’s stack', () => {
    expect(Object.fromEntries(inclusiveProfile(PROFILE))).toEqual({
      'memo-service': 200,
      helmet: 150,
      'node (http, net, streams)': 150,
      'JSON (parse, stringify)': 30,
    });
  });
});
