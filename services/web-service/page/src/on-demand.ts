/**
 * What comes from a chunk of its own (a controller, a module's functions), made the first time
 * it is asked for (`get`); `made` is it once asked for. A load that failed (offline before the
 * service worker kept the chunk) is tried again next time.
 */
export function onDemand<T>(make: () => Promise<T>): { get: () => Promise<T>; made: () => Promise<T> | null } {
  let made: Promise<T> | null = null;
  const get = (): Promise<T> =>
    (made ??= make().catch((err: unknown) => {
      made = null;
      throw err;
    }));
  return { get, made: () => made };
}
