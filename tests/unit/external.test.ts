// The "images we did not draw" figures: parsing eval:external files and quoting them in prose.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChartDataError } from '../../src/lib/charts/data';
import {
  dropRows,
  dropView,
  ExternalDataError,
  formatExternal,
  loadExternalEval,
  loadGateEval,
  parseExternalEval,
} from '../../src/lib/charts/external';

const summary = (auroc: number | null) => ({
  n: 10,
  n_mi: 5,
  refused: 1,
  sensitivity: 0.6,
  specificity: 0.8,
  accuracy: 0.7,
  refused_rate: 0.1,
  auroc,
  auroc_ci: auroc === null ? null : [auroc - 0.1, auroc + 0.05],
});

const file = (real: Record<string, unknown>) => ({
  model: 'm',
  gate: 'g',
  threshold: 0.5,
  sets: {
    'kit-fold9': { ...summary(0.8123), by_variant: { plain: summary(0.9), odd: summary(null) } },
    'real-ekg': real,
  },
});

describe('eval:external figures', () => {
  const e = parseExternalEval(
    file({ n: 24, accepted: 23, accepted_rate: 23 / 24, median_mi_score: 0.7489, over_threshold_rate: 0.875 }),
    'x.json',
  );

  it('quotes the independent renderer overall and per variant', () => {
    expect(formatExternal(e, { set: 'kit-fold9', field: 'auroc' })).toBe('0.812');
    expect(formatExternal(e, { set: 'kit-fold9', field: 'auroc_ci' })).toBe('0.712–0.862');
    expect(formatExternal(e, { set: 'kit-fold9', field: 'refused_rate' })).toBe('10%');
    expect(formatExternal(e, { set: 'kit-fold9', field: 'auroc', variant: 'plain' })).toBe('0.900');
    expect(() => formatExternal(e, { set: 'kit-fold9', field: 'auroc', variant: 'odd' })).toThrow(ExternalDataError);
    expect(() => formatExternal(e, { set: 'kit-fold9', field: 'auroc', variant: 'none' })).toThrow(
      /no kit-fold9 variant/,
    );
  });

  it('quotes real EKGs: acceptance and how often they are called MI, never an AUROC (no labels)', () => {
    expect(formatExternal(e, { set: 'real-ekg', field: 'accepted' })).toBe('23');
    expect(formatExternal(e, { set: 'real-ekg', field: 'accepted_rate' })).toBe('96%');
    expect(formatExternal(e, { set: 'real-ekg', field: 'over_threshold_rate' })).toBe('88%');
    expect(formatExternal(e, { set: 'real-ekg', field: 'median_mi_score' })).toBe('0.75');
    expect(() => formatExternal(e, { set: 'real-ekg', field: 'auroc' })).toThrow(/no diagnosis labels/);
  });

  it('quotes the real EKGs turned sideways: accepted, and the same call as upright', () => {
    expect(e.turned).toEqual({});
    expect(() => formatExternal(e, { set: 'real-ekg-sideways', field: 'accepted' })).toThrow(/re-run/);
    const side = { n: 24, accepted: 5, accepted_rate: 5 / 24 };
    const withSide = { ...file({ n: 24, accepted: 24, accepted_rate: 1 }) };
    const s = parseExternalEval(
      { ...withSide, sets: { ...withSide.sets, 'real-ekg-sideways': { ...side, same_call_as_upright: 3 } } },
      's.json',
    );
    expect(formatExternal(s, { set: 'real-ekg-sideways', field: 'accepted_rate' })).toBe('21%');
    expect(formatExternal(s, { set: 'real-ekg-sideways', field: 'accepted' })).toBe('5');
    expect(formatExternal(s, { set: 'real-ekg-sideways', field: 'same_call_as_upright' })).toBe('3');
    expect(() => formatExternal(s, { set: 'real-ekg-sideways', field: 'auroc' })).toThrow(/has no auroc/);
    expect(() =>
      parseExternalEval({ ...withSide, sets: { ...withSide.sets, 'real-ekg-sideways': side } }, 'bad.json'),
    ).toThrow(/same_call_as_upright/);
  });

  it('quotes what the sheet-upright model did: turned back upright, and upright pictures it turned', () => {
    const base = file({ n: 24, accepted: 24, accepted_rate: 1 });
    const sets = base.sets as Record<string, Record<string, unknown>>;
    const u = parseExternalEval(
      {
        ...base,
        upright: 'sheet-upright',
        sets: {
          ...sets,
          'real-ekg': { ...sets['real-ekg'], turned: 1 },
          'kit-fold9': { ...sets['kit-fold9'], turned: 0 },
          'real-ekg-upside-down': {
            n: 24,
            accepted: 20,
            accepted_rate: 20 / 24,
            same_call_as_upright: 17,
            turned_upright: 21,
          },
        },
      },
      'u.json',
    );
    expect(u.upright).toBe('sheet-upright');
    expect(formatExternal(u, { set: 'real-ekg-upside-down', field: 'turned_upright' })).toBe('21');
    expect(formatExternal(u, { set: 'real-ekg-upside-down', field: 'same_call_as_upright' })).toBe('17');
    expect(formatExternal(u, { set: 'real-ekg', field: 'turned' })).toBe('1');
    expect(formatExternal(u, { set: 'kit-fold9', field: 'turned' })).toBe('0');
    // a file from before the model: nothing to quote, and it says why
    const old = parseExternalEval(base, 'old.json');
    expect(old.upright).toBeNull();
    expect(() => formatExternal(old, { set: 'real-ekg', field: 'turned' })).toThrow(/no sheet-upright model/);
  });

  it('refuses files without the fields it quotes', () => {
    const old = parseExternalEval(file({ n: 24, accepted: 24, accepted_rate: 1 }), 'old.json');
    expect(() => formatExternal(old, { set: 'real-ekg', field: 'over_threshold_rate' })).toThrow(/re-run/);
    expect(() => parseExternalEval({ model: 'm' }, 'bad.json')).toThrow(ExternalDataError);
    expect(() =>
      parseExternalEval({ ...file({ n: 1, accepted: 1, accepted_rate: 1 }), threshold: 2 }, 'bad.json'),
    ).toThrow(/threshold/);
  });

  it('a file that is not valid JSON is named in a clear error, not a bare SyntaxError', () => {
    const root = mkdtempSync(join(tmpdir(), 'ext-'));
    for (const d of ['external', 'gate']) {
      mkdirSync(join(root, 'data', 'eval', d), { recursive: true });
      writeFileSync(join(root, 'data', 'eval', d, 'm.json'), '{"model": ');
    }
    expect(() => loadExternalEval('m', root)).toThrow(ChartDataError);
    expect(() => loadExternalEval('m', root)).toThrow(/data\/eval\/external\/m\.json: invalid JSON/);
    expect(() => loadGateEval('m', root)).toThrow(/data\/eval\/gate\/m\.json: invalid JSON/);
  });

  it('says so when the refusals of two files come from different versions of the EKG check', () => {
    const real = { n: 24, accepted: 24, accepted_rate: 1 };
    const a = parseExternalEval({ ...file(real), model: 'a', gate_threshold: 0.652 }, 'a.json');
    const b = parseExternalEval({ ...file(real), model: 'b', gate_threshold: 0.804 }, 'b.json');
    expect(a.gateThreshold).toBe(0.652);
    const caption = (xs: (typeof a)[]) => dropView(dropRows(['a', 'b'], [], xs, [])).table.caption;
    expect(caption([a, b])).toContain('threshold 0.652 for a; threshold 0.804 for b');
    expect(caption([a, { ...b, gateThreshold: 0.652 }])).not.toContain('different versions');
  });
});
