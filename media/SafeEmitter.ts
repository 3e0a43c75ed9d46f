import { EventEmitter } from 'node:events';

/**
 * An EventEmitter typed by argument tuples whose `safeEmit` keeps one throwing
 * listener from breaking the emitter's own bookkeeping (mediasoup's
 * enhancedEvents does the same). Listener errors go to `onListenerError`.
 */
export class SafeEmitter<Events extends Record<keyof Events, unknown[]>> extends EventEmitter<Events> {
  protected onListenerError(event: string, error: unknown): void {
    // An unhandled listener bug must not vanish silently; it must not crash the worker's bookkeeping either.
    process.emitWarning(`listener of "${event}" threw: ${String(error)}`);
  }

  safeEmit<K extends keyof Events & string>(event: K, ...args: Events[K]): void {
    for (const listener of this.listeners(event as never) as unknown as ((...a: Events[K]) => void)[]) {
      try {
        listener(...args);
      } catch (error) {
        this.onListenerError(event, error);
      }
    }
  }
}
