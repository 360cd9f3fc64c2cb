// A small work queue in the manner of client-go's: keys are deduplicated, one key is never worked
// on twice at once (a key added while in flight is redone afterwards), and failures are retried
// with per-key exponential backoff.
export interface WorkQueueOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  concurrency?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly inFlight = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private running = 0;
  private active = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly onError: (key: string, err: unknown, attempt: number, retryInMs: number) => void,
    private readonly o: WorkQueueOptions = {},
  ) {}

  start(): void {
    this.active = true;
    this.pump();
  }

  /** Stop working and forget everything queued (a new leader starts from a full resync). */
  stop(): void {
    this.active = false;
    this.queue.length = 0;
    this.queued.clear();
    this.dirty.clear();
    this.failures.clear();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.pump();
  }

  /** keys waiting to be worked on (not those in flight or backing off) */
  depth(): number {
    return this.queue.length;
  }

  add(key: string): void {
    if (this.inFlight.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Resolves when nothing is queued, in flight or waiting for a retry. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.running === 0 && this.timers.size === 0;
  }

  private pump(): void {
    const max = this.o.concurrency ?? 2;
    while (this.active && this.running < max && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.inFlight.add(key);
      this.running++;
      void this.work(key).then(
        () => this.done(key, undefined, true),
        (err: unknown) => this.done(key, err, false),
      );
    }
    if (this.isIdle()) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const r of w) r();
    }
  }

  private done(key: string, err: unknown, ok: boolean): void {
    this.running--;
    this.inFlight.delete(key);
    if (ok) {
      this.failures.delete(key);
    } else if (this.active) {
      const attempt = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempt);
      const delay = Math.min((this.o.baseDelayMs ?? 500) * 2 ** (attempt - 1), this.o.maxDelayMs ?? 60_000);
      this.onError(key, err, attempt, delay);
      if (!this.timers.has(key)) {
        const t = setTimeout(() => {
          this.timers.delete(key);
          this.add(key);
        }, delay);
        this.timers.set(key, t);
      }
    }
    if (this.dirty.delete(key)) this.add(key);
    this.pump();
  }
}
