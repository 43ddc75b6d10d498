import type { ReactiveController, ReactiveControllerHost } from 'lit';

interface Observable {
  on(event: string, handler: (...args: never[]) => void): void;
  off(event: string, handler: (...args: never[]) => void): void;
}

/** Re-renders its host on an event of a lib0 Observable (e.g. an Awareness `change`), rebinding if the target is replaced. */
export class ObservableController implements ReactiveController {
  private bound: Observable | null = null;
  private readonly onEvent = () => this.host.requestUpdate();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly target: () => Observable | null | undefined,
    private readonly event: string,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.hostUpdate();
  }

  hostUpdate(): void {
    const next = this.target() ?? null;
    if (next === this.bound) return;
    this.bound?.off(this.event, this.onEvent);
    this.bound = next;
    next?.on(this.event, this.onEvent);
  }

  hostDisconnected(): void {
    this.bound?.off(this.event, this.onEvent);
    this.bound = null;
  }
}
