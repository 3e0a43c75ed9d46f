/**
 * The smallest observable value React can read with useSyncExternalStore:
 * every update replaces the snapshot, so a changed reference means a change.
 */
export class Store<T extends object> {
  #value: T;
  readonly #listeners = new Set<() => void>();

  constructor(initial: T) {
    this.#value = initial;
  }

  get = (): T => this.#value;

  set(patch: Partial<T>): void {
    this.#value = { ...this.#value, ...patch };
    for (const listener of [...this.#listeners]) listener();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  };
}
