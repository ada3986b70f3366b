import { describe, expect, it } from 'vitest';
import { evalFileName, parseEvalFileName } from '../../src/lib/eval-files';

describe('eval file names (written by npm run eval / eval:signals, read by the site)', () => {
  it('writes NAME.STYLE[-nN][-foldF].json', () => {
    expect(evalFileName({ model: 'heartnet', style: 'printout', fold: 10 })).toBe('heartnet.printout.json');
    expect(evalFileName({ model: 'heartnet-wild', style: 'wild-photo', limit: 50, fold: 10 })).toBe(
      'heartnet-wild.wild-photo-n50.json',
    );
    expect(evalFileName({ model: 'study-cnn', style: 'dataset2', limit: null, fold: 9 })).toBe(
      'study-cnn.dataset2-fold9.json',
    );
    expect(evalFileName({ model: 's', style: 'signals-3x4r', limit: 8, fold: 9 })).toBe('s.signals-3x4r-n8-fold9.json');
  });

  it('parses back what it writes (base, limit, fold), directories included', () => {
    for (const k of [
      { model: 'heartnet', style: 'printout', fold: 10, limit: null },
      { model: 'heartnet-wild', style: 'wild-photo', fold: 10, limit: 50 },
      { model: 'sweep-bs-8', style: 'dataset2', fold: 9, limit: null },
      { model: 'signal-3x4r', style: 'signals-3x4r', fold: 9, limit: 12 },
    ]) {
      const file = `data/eval/${evalFileName(k)}`;
      expect(parseEvalFileName(file)).toEqual({
        base: `data/eval/${k.model}.${k.style}`,
        model: k.model,
        style: k.style,
        limit: k.limit,
        fold: k.fold,
      });
    }
    expect(parseEvalFileName('data/eval/readme.txt')).toBeNull();
    expect(parseEvalFileName('data/eval/external/heartnet.json')).toBeNull();
  });

  it('gives a model whose name ends in a style prefix its own file (heartnet on wild-printout, heartnet-wild on printout)', () => {
    const a = evalFileName({ model: 'heartnet', style: 'wild-printout', fold: 10 });
    const b = evalFileName({ model: 'heartnet-wild', style: 'printout', fold: 10 });
    expect(a).not.toBe(b);
    expect(parseEvalFileName(a)).toMatchObject({ model: 'heartnet', style: 'wild-printout' });
    expect(parseEvalFileName(b)).toMatchObject({ model: 'heartnet-wild', style: 'printout' });
  });

  it('refuses names that would not parse back', () => {
    expect(() => evalFileName({ model: 'a.b', style: 'printout', fold: 10 })).toThrow(/model name 'a.b'/);
    expect(() => evalFileName({ model: 'heartnet', style: '../x', fold: 10 })).toThrow(/style/);
  });
});
