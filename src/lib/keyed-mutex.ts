/** Serializes async work per key (e.g. one Git writer per project) inside this process: the single-instance Locks. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Whether work for the key is running or queued in this process. */
  isHeld(key: string): boolean {
    return this.tails.has(key);
  }

  async tryRun<T>(key: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.isHeld(key)) return { ran: false };
    return { ran: true, value: await this.run(key, work) };
  }
}
