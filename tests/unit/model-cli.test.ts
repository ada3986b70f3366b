import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvalArgs, pickRecords } from '../../scripts/eval';
import { ConfigError, parseFolds, validateConfig } from '../../scripts/train';

const configs = readdirSync('training/configs').filter((f) => f.endsWith('.json'));
const load = (f: string) => JSON.parse(readFileSync(join('training/configs', f), 'utf8')) as Record<string, unknown>;

describe('training configs', () => {
  it.each(configs)('%s is valid', (f) => {
    expect(validateConfig(load(f), f).name).toMatch(/^[a-z0-9-]+$/);
  });

  it('an unknown key is an error that names it and the allowed keys', () => {
    const c = load('fixture-tiny.json');
    expect(() => validateConfig({ ...c, epochs: 3 }, 'x.json')).toThrow(ConfigError);
    expect(() => validateConfig({ ...c, epochs: 3 }, 'x.json')).toThrow(
      /x.json: config: unknown key 'epochs' \(allowed: .*train/,
    );
    const t = { ...(c.train as object), learning_rate: 1 };
    expect(() => validateConfig({ ...c, train: t })).toThrow(/config.train: unknown key 'learning_rate'/);
  });

  it('wrong types, enums and ranges are errors', () => {
    const c = load('fixture-tiny.json');
    expect(() => validateConfig({ ...c, seed: 'a' })).toThrow(/config.seed: expected integer/);
    expect(() => validateConfig({ ...c, model: { arch: 'vgg' } })).toThrow(/config.model.arch: "vgg" is not one of/);
    expect(() => validateConfig({ ...c, train: { ...(c.train as object), epochs: 0 } })).toThrow(
      /epochs: 0 < minimum 1/,
    );
    const { name: _n, ...noName } = c;
    expect(() => validateConfig(noName)).toThrow(/missing required key 'name'/);
  });

  it('never lets fold 10 (or fold 9) into training, nor anything but fold 9 into validation', () => {
    const c = load('fixture-tiny.json') as { data: { train: object[]; val: object[] } } & Record<string, unknown>;
    const src = c.data.train[0]!;
    expect(() => validateConfig({ ...c, data: { ...c.data, train: [{ ...src, folds: '1-10' }] } })).toThrow(
      /fold 10 is for the final evaluation only/,
    );
    expect(() => validateConfig({ ...c, data: { ...c.data, train: [{ ...src, folds: '9' }] } })).toThrow(
      /outside 1,2,3/,
    );
    expect(() => validateConfig({ ...c, data: { ...c.data, val: [{ ...src, folds: '10' }] } })).toThrow(
      /val\[0\].folds: 10 outside 9/,
    );
    expect(parseFolds('1-3,5')).toEqual([1, 2, 3, 5]);
  });
});

describe('eval CLI arguments', () => {
  it('accepts folds 9 and 10, refuses training folds without the explicit flag', () => {
    expect(parseEvalArgs(['--model', 'm', '--fold', '10', '--style', 'printout']).fold).toBe(10);
    expect(parseEvalArgs(['--model', 'm', '--fold', '9']).fold).toBe(9);
    expect(() => parseEvalArgs(['--model', 'm', '--fold', '3'])).toThrow(/--fold 3 is a training fold/);
    expect(parseEvalArgs(['--model', 'm', '--fold', '3', '--allow-any-fold']).fold).toBe(3);
    expect(() => parseEvalArgs(['--model', 'm', '--fold', '11', '--allow-any-fold'])).toThrow(/1-10/);
  });

  it('refuses unknown arguments, styles and backends', () => {
    expect(() => parseEvalArgs(['--model', 'm', '--folds', '10'])).toThrow(/unknown argument --folds/);
    expect(() => parseEvalArgs(['--model', 'm', '--style', 'sketch'])).toThrow(/--style must be one of/);
    expect(() => parseEvalArgs(['--model', 'm', '--backend', 'webgl'])).toThrow(/cpu or wasm/);
    expect(() => parseEvalArgs(['--fold', '10'])).toThrow(/usage/);
  });

  it('picks a reproducible subset for --limit', () => {
    const ids = Array.from({ length: 100 }, (_, i) => i);
    const a = pickRecords(ids, 10, 1);
    expect(a).toEqual(pickRecords(ids, 10, 1));
    expect(a).not.toEqual(pickRecords(ids, 10, 2));
    expect(new Set(a).size).toBe(10);
    expect(pickRecords(ids, undefined, 1)).toBe(ids);
  });
});
