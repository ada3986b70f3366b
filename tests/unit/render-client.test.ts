import { describe, expect, it } from 'vitest';
import { RenderClient, type WorkerLike, type WorkerReply } from '../../src/components/generator/render-client';
import type { CoreRequest, CoreResult } from '../../src/components/generator/render-core';

const req = (ecgId: number): CoreRequest => ({
  kind: 'hash',
  rec: { ecgId, hea: `x/${ecgId}.hea`, dat: `x/${ecgId}.dat` },
  options: { style: 'dataset2', seed: 1 },
});
const hashOf = (id: number): CoreResult => ({
  kind: 'hash',
  hashes: [{ width: id, height: 1, channels: 1, sha256: `h${id}` }],
});
const idOf = (r: CoreRequest) => r.rec.ecgId;

/** A stand-in worker: records what is posted; the test answers, fails or crashes it by hand. */
class FakeWorker implements WorkerLike {
  onmessage: ((e: MessageEvent<WorkerReply>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  posted: Array<{ id: number; req: CoreRequest }> = [];
  terminated = false;
  postMessage(msg: unknown): void {
    this.posted.push(msg as { id: number; req: CoreRequest });
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(r: WorkerReply): void {
    this.onmessage?.({ data: r } as MessageEvent<WorkerReply>);
  }
  crash(): { prevented: boolean } {
    const e = {
      prevented: false,
      preventDefault() {
        this.prevented = true;
      },
    };
    this.onerror?.(e as unknown as ErrorEvent);
    return e;
  }
}

function setup(startWorker: () => WorkerLike) {
  const local: number[] = [];
  const client = new RenderClient({
    startWorker,
    runLocal: async (r) => {
      local.push(idOf(r));
      return hashOf(idOf(r));
    },
    yieldFrame: () => Promise.resolve(),
  });
  return { client, local };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('render client (worker RPC with main-thread fallback)', () => {
  it('matches replies to calls by id, in any order, and starts one worker', async () => {
    const w = new FakeWorker();
    let started = 0;
    const { client, local } = setup(() => (started++, w));
    const a = client.run(req(1));
    const b = client.run(req(2));
    expect(started).toBe(1);
    expect(w.posted.map((m) => idOf(m.req))).toEqual([1, 2]);
    const [m1, m2] = w.posted;
    w.reply({ id: m2!.id, ok: true, result: hashOf(20) });
    w.reply({ id: m1!.id, ok: true, result: hashOf(10) });
    w.reply({ id: 999, ok: true, result: hashOf(0) }); // unknown ids are ignored
    expect(await a).toEqual({ ...hashOf(10), where: 'worker' });
    expect(await b).toEqual({ ...hashOf(20), where: 'worker' });
    expect(local).toEqual([]);
  });

  it("passes a worker's render error through (no fallback: the main thread would fail the same way)", async () => {
    const w = new FakeWorker();
    const { client, local } = setup(() => w);
    const p = client.run(req(3));
    w.reply({ id: w.posted[0]!.id, ok: false, error: 'record 3: HTTP 404' });
    await expect(p).rejects.toThrow('record 3: HTTP 404');
    w.reply({ id: 1, ok: false }); // a stale reply for a settled call changes nothing
    expect(local).toEqual([]);
  });

  it('finishes pending and later calls on the main thread once the worker crashes', async () => {
    const w = new FakeWorker();
    let started = 0;
    const { client, local } = setup(() => (started++, w));
    const p = client.run(req(4));
    await tick();
    const ev = w.crash();
    expect(ev.prevented).toBe(true);
    expect(w.terminated).toBe(true);
    expect(await p).toEqual({ ...hashOf(4), where: 'main' });
    expect(client.usesMainThread).toBe(true);
    expect(await client.run(req(5))).toEqual({ ...hashOf(5), where: 'main' });
    expect(started).toBe(1); // never retried
    expect(local).toEqual([4, 5]);
  });

  it('uses the main thread when the worker cannot be constructed, or when asked to', async () => {
    const { client, local } = setup(() => {
      throw new Error('no workers here');
    });
    expect((await client.run(req(6))).where).toBe('main');
    const w = new FakeWorker();
    const other = setup(() => w);
    expect((await other.client.run(req(7), 'main')).where).toBe('main');
    expect(w.posted).toEqual([]);
    expect(local).toEqual([6]);
  });
});
