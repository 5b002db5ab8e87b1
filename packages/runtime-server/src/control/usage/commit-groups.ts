/** One member's result in a group: its value, or the error that failed it (and it alone). */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

/** Applies one group, in order; resolves once the group's transaction has committed. */
type ApplyGroup<I, O> = (items: I[]) => Settled<O>[] | Promise<Settled<O>[]>;

/** How many groups and members {@link CommitGroups} has applied (diagnostics and tests). */
export interface GroupStats {
  groups: number;
  members: number;
  largest: number;
}

interface Member<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items submitted during one turn of the event loop are applied together once the
 * turn's I/O callbacks have run (`setImmediate`; `turns` > 1 waits that many turns, so requests
 * that drift apart still share a commit), in groups of at most `maxGroup`, in arrival order. Each submitter's promise settles only after its group's commit has returned, so nothing
 * is answered before it is as durable as a transaction of its own would be.
 *
 * `maxInFlight` bounds the groups whose commit is pending at once (an asynchronous `apply`);
 * while they are, new items wait and join the next group, so groups grow with the commit's
 * latency instead of each turn sending its own.
 */
export class CommitGroups<I, O> {
  readonly #apply: ApplyGroup<I, O>;
  readonly #maxGroup: number;
  readonly #maxInFlight: number;
  readonly #turns: number;
  #queue: Member<I, O>[] = [];
  #scheduled = false;
  #inFlight = 0;
  readonly stats: GroupStats = { groups: 0, members: 0, largest: 0 };

  constructor(apply: ApplyGroup<I, O>, opts: { maxGroup: number; maxInFlight?: number; turns?: number }) {
    this.#apply = apply;
    this.#maxGroup = opts.maxGroup;
    this.#maxInFlight = opts.maxInFlight ?? Number.POSITIVE_INFINITY;
    this.#turns = opts.turns ?? 1;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#queue.length === 0 || this.#inFlight >= this.#maxInFlight) return;
    this.#scheduled = true;
    this.#after(this.#turns);
  }

  /** Flushes once `turns` more turns of the event loop have run their I/O callbacks. */
  #after(turns: number): void {
    setImmediate(() => (turns > 1 ? this.#after(turns - 1) : this.#flush()));
  }

  #flush(): void {
    this.#scheduled = false;
    while (this.#queue.length > 0 && this.#inFlight < this.#maxInFlight) {
      void this.#run(this.#queue.splice(0, this.#maxGroup));
    }
  }

  async #run(group: Member<I, O>[]): Promise<void> {
    this.#inFlight += 1;
    this.stats.groups += 1;
    this.stats.members += group.length;
    this.stats.largest = Math.max(this.stats.largest, group.length);
    let settled: Settled<O>[];
    try {
      settled = await this.#apply(group.map((m) => m.item));
    } catch (error) {
      // The group as a whole failed (e.g. its transaction could not begin or commit): nothing
      // of it was recorded.
      settled = group.map(() => ({ ok: false, error }));
    } finally {
      this.#inFlight -= 1;
    }
    group.forEach((m, i) => {
      const s = settled[i] ?? { ok: false, error: new Error("group member without an outcome") };
      if (s.ok) m.resolve(s.value);
      else m.reject(s.error);
    });
    this.#schedule();
  }
}
