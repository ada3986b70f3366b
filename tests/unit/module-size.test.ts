import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// issue 14: an island's client script is a small controller over named modules (classifier-view,
// classifier-second-reading, render-client, ...), not a file that does everything; 300 lines is the ceiling.
const MAX_CLIENT_LINES = 300;

function clientScripts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return clientScripts(p);
    return d.name.endsWith('-client.ts') ? [p] : [];
  });
}

describe('island client scripts stay small', () => {
  const files = clientScripts('src/components');

  it('finds the islands (generator, classifier, charts, readback)', () => {
    expect(files.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining(['generator-client.ts', 'classifier-client.ts', 'readback-client.ts']),
    );
  });

  it(`no src/components/**/*-client.ts over ${MAX_CLIENT_LINES} lines`, () => {
    const over = files
      .map((f) => ({ f, lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((x) => x.lines > MAX_CLIENT_LINES)
      .map((x) => `${x.f}: ${x.lines} lines`);
    expect(over).toEqual([]);
  });
});
