import { describe, expect, it } from 'vitest';
import { checkNeeds, missingLine, type Probes } from '../../scripts/check-test-env';

const probes = (chromium: boolean, torch: boolean): Probes => ({
  executable: (p) => chromium && p.endsWith('chromium'),
  python: () => (torch ? 0 : 1),
});

describe("npm test's first step: what the machine needs (scripts/check-test-env.ts)", () => {
  it('finds Chromium and PyTorch where the tests look for them', () => {
    expect(checkNeeds({}, probes(true, true)).every((n) => n.ok)).toBe(true);
    const needs = checkNeeds({ CHROMIUM_PATH: '/opt/x/chromium', HEARTNET_PYTHON: '/opt/py' }, probes(true, true));
    expect(needs.map((n) => n.where)).toEqual(['/opt/x/chromium', '/opt/py (import torch, numpy)']);
  });

  it('a fresh machine: both missing, one line naming them and the command that installs them', () => {
    const missing = checkNeeds({}, probes(false, false)).filter((n) => !n.ok);
    expect(missing.map((n) => n.name)).toEqual(['Chromium', "Debian's PyTorch"]);
    const line = missingLine(missing);
    expect(line).not.toContain('\n');
    expect(line).toContain('sudo apt-get install chromium python3-torch python3-numpy');
    expect(line).toMatch(/Chromium \(\/usr\/bin\/chromium\) and Debian's PyTorch/);
  });

  it('only what is missing is named', () => {
    const missing = checkNeeds({}, probes(true, false)).filter((n) => !n.ok);
    expect(missingLine(missing)).toContain('apt-get install python3-torch python3-numpy`');
    expect(missingLine(missing)).not.toContain('chromium ');
  });
});
