/** A bounded number of holders at a time, then a short queue of waiters (first come, first served); beyond that, refused. */
export type Release = () => void;

interface Waiter {
  grant(release: Release | null): void;
}

export class Slots {
  private active = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly limit: number,
    private readonly queueLimit: number,
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * A release function once a slot is free; null at once when every slot is taken and the queue is
   * full, or later when the wait is aborted, takes longer than `timeoutMs`, or the slots are drained.
   */
  acquire(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Release | null> {
    if (this.active < this.limit) return Promise.resolve(this.take());
    if (this.waiting.length >= this.queueLimit || options.signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        grant: (release) => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', giveUp);
          resolve(release);
        },
      };
      const giveUp = () => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        waiter.grant(null);
      };
      if (options.timeoutMs !== undefined) timer = setTimeout(giveUp, options.timeoutMs);
      options.signal?.addEventListener('abort', giveUp, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Refuses every waiter (e.g. at shutdown); holders keep their slots until they release them. */
  drain(): void {
    for (const waiter of this.waiting.splice(0)) waiter.grant(null);
  }

  private take(): Release {
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      const next = this.waiting.shift();
      if (next) next.grant(this.take());
    };
  }
}
