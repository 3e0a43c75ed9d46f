/**
 * Runs `fn`, or returns null if it throws. For the calls a page must survive:
 * storage in private modes and some WebViews, parsing what came from outside.
 */
export function attempt<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}
