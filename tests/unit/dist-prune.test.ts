import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTestOnlyFile, pruneDist } from '../../scripts/dist-prune';

describe('dist pruning (files the site never fetches)', () => {
  it("removes every model's parity.json and nothing else", () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'dist-prune-'));
    try {
      const files = [
        'models/a/parity.json',
        'models/a/model.json',
        'models/a/metadata.json',
        'models/b/parity.json',
        'models/b/group1-shard1of1.bin',
        'models/default.json',
        'samples/parity.json',
        'index.html',
      ];
      for (const f of files) {
        mkdirSync(path.dirname(path.join(dist, f)), { recursive: true });
        writeFileSync(path.join(dist, f), 'x');
      }
      expect(pruneDist(dist).sort()).toEqual(['models/a/parity.json', 'models/b/parity.json']);
      for (const f of files) expect(existsSync(path.join(dist, f)), f).toBe(!isTestOnlyFile(f));
      expect(pruneDist(dist)).toEqual([]);
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  });

  it('leaves a build without models alone', () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'dist-prune-'));
    try {
      expect(pruneDist(dist)).toEqual([]);
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  });
});
