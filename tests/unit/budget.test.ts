import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseDist, jsClosure } from '../../scripts/lib/budget-static';
import { BUDGETS, clsOf, repeatedShifts } from '../../scripts/budget';

function site(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'budget-'));
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), body);
  }
  return dir;
}

const CSP = `<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'">`;

describe('budget: static analysis of a build', () => {
  it("counts a page's scripts and their static imports and workers, not dynamic import() chunks", () => {
    const dist = site({
      'index.html': `<head>${CSP}<script type="module" src="/b/_assets/entry.js"></script></head>`,
      '_assets/entry.js': `import{a}from"./dep.js";import"./side.js";const w=new Worker(new URL("/b/_assets/worker.js",import.meta.url),{type:"module"});import("./tfjs.js")`,
      '_assets/dep.js': 'export const a=1',
      '_assets/side.js': 'console.log(1)',
      '_assets/worker.js': 'self.onmessage=()=>{}',
      '_assets/tfjs.js': 'x'.repeat(200_000),
    });
    expect(jsClosure(dist, '/b/', ['_assets/entry.js']).sort()).toEqual([
      '_assets/dep.js',
      '_assets/entry.js',
      '_assets/side.js',
      '_assets/worker.js',
    ]);
    const r = analyseDist(dist, '/b');
    expect(r.pages[0]!.page).toBe('');
    expect(r.pages[0]!.js).not.toContain('_assets/tfjs.js');
    expect(r.pages[0]!.jsGzip).toBeLessThan(1024);
    expect(r.pages[0]!.problems).toEqual([]);
    expect(r.fonts.faces).toBe(0);
    expect(r.fonts.note).toMatch(/system font stacks only/);
  });

  it('reports what the CSP would block, a missing policy, legacy images and off-site fonts', () => {
    const dist = site({
      'index.html': `<head><script>alert(1)</script><style>p{}</style></head><p style="color:red"><img src="/b/a.png">`,
      'ok/index.html': `<head>${CSP}</head><img src="/b/a.svg" width="2" height="2" alt="">`,
      'eval/index.html': `<head><meta http-equiv="content-security-policy" content="script-src 'self' 'unsafe-eval'"></head>`,
      'a.png': 'png',
      'a.svg': '<svg/>',
      's.css': `@font-face{font-family:x;src:url(https://fonts.example/x.woff2)}@font-face{font-family:y;src:url(/b/y.ttf)}`,
      'y.ttf': 'ttf',
    });
    const r = analyseDist(dist, '/b');
    const home = r.pages.find((p) => p.page === '')!;
    expect(home.problems.join('\n')).toMatch(/inline <script>/);
    expect(home.problems.join('\n')).toMatch(/inline <style>/);
    expect(home.problems.join('\n')).toMatch(/1 style="" attribute/);
    expect(home.problems.join('\n')).toMatch(/no Content-Security-Policy/);
    expect(r.pages.find((p) => p.page === 'eval/')!.problems).toContain("CSP allows 'unsafe-eval'");
    expect(r.pages.find((p) => p.page === 'ok/')!.problems).toEqual([]);
    expect(r.images.count).toBe(2);
    expect(r.images.problems.join('\n')).toMatch(/a\.png.*not SVG, WebP or AVIF/);
    expect(r.images.problems.join('\n')).toMatch(/width and height not both set/);
    expect(r.fonts.faces).toBe(2);
    expect(r.fonts.problems.join('\n')).toMatch(/fonts\.example.*not a file of this site/);
    expect(r.fonts.problems.join('\n')).toMatch(/y\.ttf; ship WOFF2/);
  });

  it('finds the demo model from the classifier config and sums its files', () => {
    const config = JSON.stringify({ modelUrl: '/b/models/m/' }).replace(/"/g, '&quot;');
    const dist = site({
      'demo/index.html': `<heartnet-classifier class="clf" data-config="${config}"></heartnet-classifier>`,
      'models/m/model.json': JSON.stringify({ weightsManifest: [{ paths: ['w1.bin', 'w2.bin'] }] }),
      'models/m/metadata.json': '{}',
      'models/m/w1.bin': Buffer.alloc(1000),
      'models/m/w2.bin': Buffer.alloc(500),
      'models/m/parity.json': Buffer.alloc(9999),
    });
    const r = analyseDist(dist, '/b');
    expect(r.model.dir).toBe('models/m/');
    expect(r.model.files).toHaveLength(4);
    expect(r.model.bytes).toBe(1500 + 2 + fs.statSync(path.join(dist, 'models/m/model.json')).size);
    expect(r.site.bytes).toBeGreaterThan(r.model.bytes + 9999 - 1);
  });
});

describe('budget: CLS', () => {
  it('is the largest session window (gaps under 1 s, windows under 5 s)', () => {
    expect(clsOf([])).toBe(0);
    expect(
      clsOf([
        { value: 0.1, time: 0 },
        { value: 0.1, time: 500 },
        { value: 0.05, time: 3000 },
      ]),
    ).toBeCloseTo(0.2);
    // a window is cut after 5 s even without a 1 s gap
    const steady = Array.from({ length: 12 }, (_, i) => ({ value: 0.01, time: i * 900 }));
    expect(clsOf(steady)).toBeCloseTo(0.06);
  });

  it('counts a shift after parsing only where a second load moves the same element after parsing', () => {
    const shift = (source: string, afterParse = true) => ({ value: 0.001, time: 900, afterParse, sources: [source] });
    // the CI failure of stop 24: a table's header in one load, a legend in the other (parse timing, no script)
    const oneOffs = repeatedShifts(
      [shift('dd > table.chart-data-table > thead > th.num (y 10948→10948, h 32→32)')],
      [shift('dd > figure#m > ul.chart-legend > li (y 15890→15920, h 21→21)')],
    );
    expect([...oneOffs.first, ...oneOffs.again].some((x) => x.afterParse)).toBe(false);
    // an island that grows on every load moves the same element, wherever the page happens to be
    const island = repeatedShifts(
      [shift('main > heartnet-generator > canvas (y 300→340, h 0→40)')],
      [shift('main > heartnet-generator > canvas (y 301→341, h 0→40)'), shift('main > p (y 5→9)')],
    );
    expect(island.first.map((x) => x.afterParse)).toEqual([true]);
    expect(island.again.map((x) => x.afterParse)).toEqual([true, false]);
    // a shift during parsing stays one, and does not confirm a shift after parsing elsewhere
    const parse = repeatedShifts([shift('header > nav (y 0→4)', false)], [shift('header > nav (y 0→4)')]);
    expect(parse.first[0]!.afterParse).toBe(false);
    expect(parse.again[0]!.afterParse).toBe(false);
  });

  it('budgets are the ones issue #7 asks for', () => {
    expect(BUDGETS.jsKbGzip).toBe(100);
    expect(BUDGETS.lcpMs).toBe(1500);
    expect(BUDGETS.islandShifts).toBe(0);
  });
});
