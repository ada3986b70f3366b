/**
 * Test hooks of the generator: window.__heartnetGenerator = { element, hash(ecgId, style, seed, filters?, where?),
 * bench(ecgId, style, opts), idle(), current() }. The e2e tests use them to compare Chromium's bytes with Node's
 * (render parity) and to time renders in the worker and on the main thread.
 */
import type { SampleEntry } from '../../lib/ptbxl/types';
import type { RenderOptions, StyleName } from '../../lib/render/types';
import type { LeadChoice } from '../../lib/generator-state';
import type { FilterName } from '../../lib/signal/filters';
import type { CoreRequest, RecordRef } from './render-core';
import type { Placed, Where } from './render-client';

type GoldenHash = { width: number; height: number; channels: 1 | 4; sha256: string };

export interface ShownSummary {
  ecgId: number;
  style: StyleName;
  seed: number;
  lead: LeadChoice;
  width: number;
  height: number;
  renderMs: number;
}

declare global {
  interface Window {
    __heartnetGenerator?: {
      element: HTMLElement;
      hash(ecgId: number, style: StyleName, seed: number, filters?: FilterName[], where?: Where): Promise<GoldenHash[]>;
      bench(
        ecgId: number,
        style: StyleName,
        opts?: { seed?: number; runs?: number; warmup?: number; where?: Where },
      ): Promise<number[]>;
      idle(): Promise<void>;
      current(): ShownSummary | null;
    };
  }
}

/** What the hooks need from the generator element. */
export interface HookHost {
  readonly element: HTMLElement;
  records(): SampleEntry[];
  recordRef(r: SampleEntry): RecordRef;
  run(req: CoreRequest, where: Where): Promise<Placed>;
  idle(): Promise<void>;
  current(): ShownSummary | null;
}

export function exposeGeneratorHooks(host: HookHost): void {
  const ref = (ecgId: number): RecordRef => {
    const r = host.records().find((x) => x.ecgId === ecgId);
    if (!r) throw new Error(`record ${ecgId} is not a sample record`);
    return host.recordRef(r);
  };
  window.__heartnetGenerator = {
    element: host.element,
    async hash(ecgId, style, seed, filters, where = 'worker') {
      const options: RenderOptions = { style, seed, ecgId, ...(filters ? { filters } : {}) };
      const r = await host.run({ kind: 'hash', rec: ref(ecgId), options }, where);
      if (r.kind !== 'hash') throw new Error('unexpected result');
      return r.hashes;
    },
    async bench(ecgId, style, opts = {}) {
      const options: RenderOptions = { style, seed: opts.seed ?? 7, ecgId };
      const req: CoreRequest = {
        kind: 'bench',
        rec: ref(ecgId),
        options,
        runs: opts.runs ?? 10,
        warmup: opts.warmup ?? 3,
      };
      const r = await host.run(req, opts.where ?? 'worker');
      if (r.kind !== 'bench') throw new Error('unexpected result');
      return r.times;
    },
    idle: () => host.idle(),
    current: () => host.current(),
  };
}
