import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Re-renders its host on events of an EventTarget (a connection's `change`, `presence`, …) while connected. */
export class EventController implements ReactiveController {
  private readonly onEvent = () => this.host.requestUpdate();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly target: () => EventTarget | null | undefined,
    private readonly events: string[],
  ) {
    host.addController(this);
  }

  private bound: EventTarget | null = null;

  hostConnected(): void {
    this.hostUpdate();
  }

  hostUpdate(): void {
    const next = this.target() ?? null;
    if (next === this.bound) return;
    for (const e of this.events) this.bound?.removeEventListener(e, this.onEvent);
    this.bound = next;
    for (const e of this.events) next?.addEventListener(e, this.onEvent);
  }

  hostDisconnected(): void {
    for (const e of this.events) this.bound?.removeEventListener(e, this.onEvent);
    this.bound = null;
  }
}
