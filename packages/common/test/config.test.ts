import { describe, expect, it } from 'vitest';
import { ConfigError, int, loadConfig, oneOf, optionalStr, str, url } from '../src/config.js';

const spec = {
  NAME: str(),
  PORT: int({ default: 8080, min: 1, max: 65535 }),
  REDIS_URL: url({ protocols: ['redis:'] }),
  MODE: oneOf(['a', 'b'] as const, 'a'),
  EXTRA: optionalStr(),
};

describe('loadConfig', () => {
  it('reads, trims and defaults values', () => {
    const config = loadConfig(spec, { NAME: ' memo ', REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(config.NAME).toBe('memo');
    expect(config.PORT).toBe(8080);
    expect(config.REDIS_URL.port).toBe('6379');
    expect(config.MODE).toBe('a');
    expect(config.EXTRA).toBeUndefined();
  });

  it.each([
    [{ REDIS_URL: 'redis://x' }, 'NAME: is required but not set'],
    [{ NAME: 'x', REDIS_URL: 'redis://x', PORT: '80a' }, 'PORT: must be a whole number, got "80a"'],
    [{ NAME: 'x', REDIS_URL: 'redis://x', PORT: '70000' }, 'PORT: must be at most 65535'],
    [{ NAME: 'x', REDIS_URL: 'not a url' }, 'REDIS_URL: must be a URL, got "not a url"'],
    [{ NAME: 'x', REDIS_URL: 'http://x' }, 'REDIS_URL: must use redis:, got "http:"'],
    [{ NAME: 'x', REDIS_URL: 'redis://x', MODE: 'c' }, 'MODE: must be one of a, b, got "c"'],
    [{ NAME: '   ', REDIS_URL: 'redis://x' }, 'NAME: is required but not set'],
  ])('rejects %o with one line naming the variable', (env, message) => {
    expect(() => loadConfig(spec, env)).toThrow(ConfigError);
    expect(() => loadConfig(spec, env)).toThrow(message);
  });
});
