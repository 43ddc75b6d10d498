import type { ReactiveController, ReactiveControllerHost } from 'lit';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Yjs type
import type * as Y from "yjs";

/**
 * Re-renders its host whenever a shared type (or anything inside it) changes. The type is read through `target`
 * on every host update, so a replaced document (after a reset) is picked up without the host doing anything.
 */
export class YObserverController implements ReactiveController {
  private observed: Y.AbstractType<any> | null = null;
  private readonly onChange = () => this.host.requestUpdate();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly target: () => Y.AbstractType<any> | null | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.bind();
  }

  hostUpdate(): void {
    this.bind();
  }

  hostDisconnected(): void {
    this.observed?.unobserveDeep(this.onChange);
    this.observed = null;
  }

  private bind(): void {
    const next = this.target() ?? null;
    if (next === this.observed) return;
    this.observed?.unobserveDeep(this.onChange);
    this.observed = next;
    next?.observeDeep(this.onChange);
  }
}
