import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { smokeDist } from '../../scripts/smoke-dist';

function site(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-'));
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), body);
  }
  return dir;
}

describe('smoke-dist', () => {
  it('accepts a site whose links respect the base path', () => {
    const dist = site({
      'index.html':
        '<a href="/b/about/">x</a><a href="/b/about/#team">t</a><img src="/b/_assets/a.png"><a href="#top" id="top">^</a>',
      'about/index.html': '<h2 id="team">Team</h2>',
      '_assets/a.png': 'png',
    });
    expect(smokeDist(dist, '/b').problems).toEqual([]);
  });

  it('reports missing files, root-relative links that ignore the base, and dead fragments', () => {
    const dist = site({
      'index.html':
        '<a href="/b/missing/">x</a><a href="/about/">y</a><a href="/b/about/#nope">z</a><a href="#gone">g</a>',
      'about/index.html': '<h2 id="team">Team</h2>',
    });
    const problems = smokeDist(dist, '/b').problems.map((p) => p.problem);
    expect(problems).toEqual([
      'no such file in the build',
      'ignores the base path /b',
      'fragment names no id on the target page',
      'fragment names no id on the page',
    ]);
  });

  it('reports files the service worker precaches that the build lacks', () => {
    const dist = site({
      'index.html': '<p>home</p>',
      '_assets/a.js': 'a',
      'sw.js': 'const VERSION = "x";\nconst PRECACHE = [\n "",\n "_assets/a.js",\n "_assets/gone.js"\n];\n',
    });
    expect(smokeDist(dist, '/b').problems).toEqual([
      { page: '/sw.js', url: '_assets/gone.js', problem: 'precached by the service worker but not in the build' },
    ]);
  });
});
