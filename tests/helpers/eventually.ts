/** Polls `check` until it stops throwing (or returns truthy), instead of sleeping a guessed time. */
export async function eventually<T>(
  check: () => Promise<T> | T,
  { timeoutMs = 10_000, intervalMs = 100, what = 'condition' } = {},
): Promise<Exclude<T, null | undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== false && value !== undefined && value !== null)
        return value as Exclude<T, null | undefined | false>;
      lastError = new Error(`${what}: got ${String(value)}`);
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `eventually(${what}) timed out after ${timeoutMs} ms: ${String((lastError as Error)?.message ?? lastError)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
