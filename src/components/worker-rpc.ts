/**
 * The main thread's side of an island's Web Worker (the generator's renderer, the demo's digitiser): a small RPC
 * over postMessage ({ id, req } out, { id, ok, result | error } back), started on first use, and the main-thread
 * fallback. If the worker cannot start (or crashes), every pending call and every later one runs the same core
 * code on the main thread instead, after a frame's yield so the page can paint first. No DOM here beyond the
 * Worker interface, so it is tested in Node with a stand-in worker (tests/unit/render-client.test.ts).
 */

export type Where = 'worker' | 'main';

/** What a worker posts back. */
export interface WorkerReply<Res> {
  id: number;
  ok: boolean;
  result?: Res;
  error?: string;
}

/** The part of a Worker this client uses. */
export type WorkerLike<Res> = Pick<Worker, 'postMessage' | 'terminate'> & {
  onmessage: ((e: MessageEvent<WorkerReply<Res>>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
};

export interface WorkerClientOptions<Req, Res> {
  /** Starts the worker; may throw (then the main thread is used). */
  startWorker: () => WorkerLike<Res>;
  /** Runs a request on the main thread (the core module, loaded on first use). */
  runLocal: (req: Req) => Promise<Res>;
  /** Yields before main-thread work (default: the next animation frame). */
  yieldFrame?: () => Promise<void>;
  /** The message and the buffers to hand over (default: the request as it is, nothing transferred). */
  transfer?: (req: Req) => { req: Req; transfer: Transferable[] };
  /** What the worker does, for error messages ("render", "reading the picture back"). */
  what: string;
}

export class WorkerUnavailable extends Error {
  constructor(what: string) {
    super(`the ${what} worker is unavailable`);
  }
}

const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

export class WorkerClient<Req, Res extends object> {
  private worker: WorkerLike<Res> | null = null;
  private workerFailed = false;
  private calls = new Map<number, { resolve: (r: Res) => void; reject: (e: Error) => void }>();
  private callId = 0;

  constructor(private readonly opts: WorkerClientOptions<Req, Res>) {}

  /** True once the worker has failed: everything runs on the main thread from then on. */
  get usesMainThread(): boolean {
    return this.workerFailed;
  }

  /** Runs a request in the worker (or, where = 'main' or without a worker, on the main thread). */
  async run(req: Req, where: Where = 'worker'): Promise<Res & { where: Where }> {
    const w = where === 'worker' ? this.getWorker() : null;
    if (w) {
      try {
        return { ...(await this.call(w, req)), where: 'worker' };
      } catch (e) {
        if (!(e instanceof WorkerUnavailable)) throw e;
      }
    }
    await (this.opts.yieldFrame ?? nextFrame)();
    return { ...(await this.opts.runLocal(req)), where: 'main' };
  }

  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  private call(w: WorkerLike<Res>, req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const id = ++this.callId;
      this.calls.set(id, { resolve, reject });
      const { req: sent, transfer } = this.opts.transfer?.(req) ?? { req, transfer: [] };
      w.postMessage({ id, req: sent }, transfer);
    });
  }

  private getWorker(): WorkerLike<Res> | null {
    if (this.worker || this.workerFailed) return this.worker;
    try {
      const w = this.opts.startWorker();
      w.onmessage = (e) => this.settle(e.data);
      w.onerror = (e) => {
        // The worker could not start (or crashed): finish on the main thread from now on.
        e.preventDefault();
        this.workerFailed = true;
        w.terminate();
        this.worker = null;
        const pending = [...this.calls.values()];
        this.calls.clear();
        for (const c of pending) c.reject(new WorkerUnavailable(this.opts.what));
      };
      this.worker = w;
    } catch {
      this.workerFailed = true;
    }
    return this.worker;
  }

  private settle(reply: WorkerReply<Res>): void {
    const call = this.calls.get(reply.id);
    if (!call) return;
    this.calls.delete(reply.id);
    if (reply.ok && reply.result) call.resolve(reply.result);
    else call.reject(new Error(reply.error ?? `${this.opts.what} failed`));
  }
}
