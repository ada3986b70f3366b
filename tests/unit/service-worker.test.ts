import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { precachePlan, renderServiceWorker, writeServiceWorker } from '../../scripts/service-worker';
import { pickDemoSamples, sampleButtonText } from '../../src/lib/demo-samples';
import { CSP, CSP_DIRECTIVES } from '../../src/lib/csp';

function site(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-'));
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), body);
  }
  return dir;
}

const records = [
  { ecgId: 1, mi: false, superclasses: ['NORM'], hea: 'records/00001_lr.hea', dat: 'records/00001_lr.dat' },
  { ecgId: 2, mi: true, miCodes: ['IMI'], hea: 'records/00002_lr.hea', dat: 'records/00002_lr.dat' },
  { ecgId: 3, mi: false, superclasses: [], hea: 'records/00003_lr.hea', dat: 'records/00003_lr.dat' },
  { ecgId: 4, mi: false, superclasses: ['CD'], hea: 'records/00004_lr.hea', dat: 'records/00004_lr.dat' },
  { ecgId: 5, mi: true, miCodes: [], hea: 'records/00005_lr.hea', dat: 'records/00005_lr.dat' },
  { ecgId: 6, mi: true, miCodes: ['AMI'], hea: 'records/00006_lr.hea', dat: 'records/00006_lr.dat' },
  { ecgId: 7, mi: false, superclasses: ['HYP'], hea: 'records/00007_lr.hea', dat: 'records/00007_lr.dat' },
];

function sampleSite(pages: Record<string, string>): string {
  const files: Record<string, string> = {
    ...pages,
    'sw.js': 'old',
    '_assets/a.js': 'a',
    '_assets/tfjs-backend-wasm-threaded-simd.x.wasm': 'w',
    '_assets/tfjs-backend-wasm-simd.x.wasm': 'w',
    'favicon.svg': '<svg/>',
    'models/m/model.json': '{}',
    'models/m/parity.json': '{}',
    'models/other/model.json': '{}',
    'samples/index.json': JSON.stringify({ records }),
  };
  for (const r of records) {
    files[`samples/${r.hea}`] = 'h';
    files[`samples/${r.dat}`] = 'd';
  }
  return site(files);
}

describe('service worker build', () => {
  it('precaches pages, assets, the model and the records pages open with; not the rest', () => {
    const gen = (record: number | null) =>
      `<heartnet-generator class="gen" data-config="${JSON.stringify({ initial: { record } }).replace(/"/g, '&quot;')}">`;
    const dist = sampleSite({
      'index.html': 'home',
      'chapters/a/index.html': gen(null),
      'chapters/b/index.html': gen(7),
      'demo/index.html': `<heartnet-classifier class="clf" data-config="${JSON.stringify({ modelUrl: '/heartnet-notebook/models/m/' }).replace(/"/g, '&quot;')}">`,
    });
    const plan = precachePlan(dist);
    expect(plan.urls).toContain('');
    expect(plan.urls).toContain('chapters/a/');
    expect(plan.urls).toContain('demo/');
    expect(plan.urls).toContain('_assets/a.js');
    expect(plan.urls).toContain('_assets/tfjs-backend-wasm-simd.x.wasm');
    expect(plan.urls).toContain('models/m/model.json');
    expect(plan.urls).toContain('samples/index.json');
    expect(plan.urls).not.toContain('sw.js');
    expect(plan.urls).not.toContain('models/m/parity.json');
    expect(plan.urls).not.toContain('models/other/model.json');
    expect(plan.urls.some((u) => u.includes('threaded'))).toBe(false);
    // generator defaults: the first record (1) and record 7; demo buttons: MI 2, 5 and non-MI 1, 3
    const recs = plan.urls.filter((u) => u.endsWith('.dat')).map((u) => Number(/(\d+)_lr/.exec(u)![1]));
    expect(recs.sort((a, b) => a - b)).toEqual([1, 2, 3, 5, 7]);
    expect(plan.version).toMatch(/^[0-9a-f]{16}$/);
    expect(precachePlan(dist).version).toBe(plan.version);
    fs.writeFileSync(path.join(dist, '_assets/a.js'), 'changed');
    expect(precachePlan(dist).version).not.toBe(plan.version);
  });

  it("precaches the signal model of the demo's second reading and its trace segmenter, not their parity files", () => {
    const config = {
      modelUrl: '/heartnet-notebook/models/m/',
      signal: { url: '/heartnet-notebook/models/sig/', segmenterUrl: '/heartnet-notebook/models/seg/' },
    };
    const dist = sampleSite({
      'demo/index.html': `<heartnet-classifier class="clf" data-config="${JSON.stringify(config).replace(/"/g, '&quot;')}">`,
    });
    for (const d of ['models/sig', 'models/seg']) {
      fs.mkdirSync(path.join(dist, d), { recursive: true });
      for (const f of ['model.json', 'metadata.json', 'group1-shard1of1.bin', 'parity.json'])
        fs.writeFileSync(path.join(dist, d, f), '{}');
    }
    const plan = precachePlan(dist);
    expect(plan.urls).toEqual(
      expect.arrayContaining([
        'models/m/model.json',
        'models/sig/model.json',
        'models/sig/group1-shard1of1.bin',
        'models/seg/model.json',
        'models/seg/group1-shard1of1.bin',
      ]),
    );
    expect(plan.urls).not.toContain('models/seg/parity.json');
    expect(plan.urls).not.toContain('models/sig/parity.json');
    expect(plan.urls).not.toContain('models/other/model.json');
  });

  it('writes a worker that parses, with the base, the version and the list filled in', () => {
    const dist = sampleSite({ 'index.html': 'home' });
    const plan = writeServiceWorker(dist, '/heartnet-notebook');
    const code = fs.readFileSync(path.join(dist, 'sw.js'), 'utf8');
    expect(code).not.toMatch(/__(VERSION|BASE|PRECACHE)__/);
    const listeners: Record<string, unknown> = {};
    const sandbox = {
      self: { addEventListener: (t: string, f: unknown) => (listeners[t] = f), location: { origin: 'http://x' } },
      caches: {},
      URL,
      Request: class {},
      Response: class {},
    };
    vm.runInNewContext(code, sandbox);
    expect(Object.keys(listeners).sort()).toEqual(['activate', 'fetch', 'install', 'message']);
    expect(code).toContain(`const VERSION = "${plan.version}"`);
    expect(code).toContain('const BASE = "/heartnet-notebook/"');
    expect(renderServiceWorker({ urls: [], version: 'v' }, '/')).toContain('const BASE = "/"');
  });
});

describe('demo samples and CSP', () => {
  it('offers the first two MI and the first two other records', () => {
    expect(pickDemoSamples(records).map((r) => r.ecgId)).toEqual([2, 5, 1, 3]);
    expect(sampleButtonText(records[1]!)).toBe('Record 2 · MI (IMI)');
    expect(sampleButtonText(records[4]!)).toBe('Record 5 · MI');
    expect(sampleButtonText(records[2]!)).toBe('Record 3 · no MI');
  });

  it('the policy never allows eval or inline code, and allows WASM compilation', () => {
    expect(CSP).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);
    expect(CSP).toMatch(/script-src 'self' 'wasm-unsafe-eval'/);
    expect(new Set(CSP_DIRECTIVES.map(([k]) => k)).size).toBe(CSP_DIRECTIVES.length);
    expect(CSP).toMatch(/object-src 'none'/);
  });
});
