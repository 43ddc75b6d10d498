import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type * as Y from 'yjs';

/** Subscribes `onChange` to a target's changes; returns the unsubscribe. */
export type Subscribe<T> = (target: T, onChange: () => void) => () => void;

/**
 * Re-renders its host when a target changes, while the host is connected. The target is read through `target` on
 * every host update, so a replaced one (a section's document after a reset, a new connection) is picked up without
 * the host doing anything. How to listen is `subscribe`: {@link events}, {@link observable} or {@link deep}; what to
 * do is `onChange` (by default, the host's update).
 */
export class ObserveController<T extends object> implements ReactiveController {
  private bound: T | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly onChange: () => void;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly target: () => T | null | undefined,
    private readonly subscribe: Subscribe<T>,
    onChange?: () => void,
  ) {
    this.onChange = onChange ?? (() => this.host.requestUpdate());
    host.addController(this);
  }

  hostConnected(): void {
    this.bind();
  }

  hostUpdate(): void {
    this.bind();
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.bound = null;
  }

  private bind(): void {
    const next = this.target() ?? null;
    if (next === this.bound) return;
    this.unsubscribe?.();
    this.bound = next;
    this.unsubscribe = next ? this.subscribe(next, this.onChange) : null;
  }
}

/** DOM events of an EventTarget (a connection's `change`, `reset`…). */
export const events =
  (...names: string[]): Subscribe<EventTarget> =>
  (target, onChange) => {
    for (const name of names) target.addEventListener(name, onChange);
    return () => {
      for (const name of names) target.removeEventListener(name, onChange);
    };
  };

interface Observable {
  on(event: string, handler: () => void): void;
  off(event: string, handler: () => void): void;
}

/** An event of a lib0 Observable (an Awareness's `change`). */
export const observable =
  (name: string): Subscribe<Observable> =>
  (target, onChange) => {
    target.on(name, onChange);
    return () => target.off(name, onChange);
  };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any shared type (a map's events are not an array's)
type AnyType = Y.AbstractType<any>;

/** Any change in a shared type or inside it. */
export const deep: Subscribe<AnyType> = (target, onChange) => {
  target.observeDeep(onChange);
  return () => target.unobserveDeep(onChange);
};
