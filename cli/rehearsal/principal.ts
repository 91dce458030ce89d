/**
 * Who is calling AWS right now in the rehearsal. Every handler runs as its
 * function's execution role (the phase folder name); the state machines'
 * integrations run as their own roles (`migration`, `app-cutover`). The
 * shared SDK clients are the same objects for every phase, so the caller is
 * carried in the asynchronous context of the invocation.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const store = new AsyncLocalStorage<string>();

/** Runs `work` (and everything it awaits) as `principal`. */
export function asPrincipal<T>(principal: string, work: () => T): T {
  return store.run(principal, work);
}

/** The principal of the current invocation, if any. */
export function currentPrincipal(): string | undefined {
  return store.getStore();
}
