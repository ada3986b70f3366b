/**
 * Honest numbers in the prose (issue #13): every figure quoted in the Training, Results and Reading-back chapters
 * comes from a data file through a component, never typed in:
 *   <Metric ...>    ours: data/eval (fold 10) or data/training (fold 9, a run's best epoch);
 *   <FromStudy ...> the study's: its published tables in data/study, or our arithmetic on them, marked as the study's;
 *   <Published by>  another work's published figure, labelled with that work (cited in the same paragraph).
 * Any other percentage or decimal in the prose fails, unless it is one of the few listed below that are not
 * results (a split, a cut-off, a target fixed before training), each with its reason; a listed phrase that is no
 * longer in its chapter fails too, so the list cannot go stale.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STUDY_FIELDS, loadStudyFigures } from '../../src/lib/charts/study-figures';
import { getReference } from '../../src/lib/references';

const DIR = 'src/content/chapters';
const CHAPTERS = ['05-training.mdx', '06-results.mdx', '07-reading-back.mdx'];

/** Numbers in these chapters that are not results, and why. */
const NOT_RESULTS: { chapter: string; text: string; why: string }[] = [
  {
    chapter: '05-training.mdx',
    text: 'split at random into 80% training and 20% validation images',
    why: "the study's split, a design choice",
  },
  { chapter: '05-training.mdx', text: 'effectively used a 0.5 cut-off', why: "FastAI's default decision rule" },
  { chapter: '05-training.mdx', text: 'a fixed cut-off of 0.5', why: 'the cut-off the sweep chart is drawn at' },
  { chapter: '05-training.mdx', text: 'instead of using 0.5', why: 'the same cut-off' },
  { chapter: '05-training.mdx', text: 'stayed under 0.5', why: 'the same cut-off' },
  { chapter: '06-results.mdx', text: '95% CI', why: 'the name of the interval that follows' },
  {
    chapter: '06-results.mdx',
    text: 'a 2.5-second lead panel',
    why: "the printout's layout (2.5 s of each lead per column)",
  },
  { chapter: '06-results.mdx', text: 'an AUROC of at least 0.93', why: 'a target set before training' },
  { chapter: '06-results.mdx', text: 'at least 0.90 on photos', why: 'a target set before training' },
  { chapter: '06-results.mdx', text: 'of at least 0.85 each', why: 'a target set before training' },
  {
    chapter: '05-training.mdx',
    text: 'a 2.5-second lead column',
    why: "the printout's layout (2.5 s of each lead per column)",
  },
  { chapter: '06-results.mdx', text: 'an AUROC of at least 0.85', why: 'a target set before the real-images work' },
  { chapter: '06-results.mdx', text: 'both at least 0.75', why: 'a target set before the real-images work' },
  { chapter: '06-results.mdx', text: 'fewer than 2% refused', why: 'a target set before the real-images work' },
  { chapter: '06-results.mdx', text: 'at least 95% of real EKGs', why: 'a target set before the real-images work' },
  { chapter: '06-results.mdx', text: 'at most 3% of photographs', why: 'a target set before the real-images work' },
  { chapter: '06-results.mdx', text: 'at most 10% of look-alikes', why: 'a target set before the real-images work' },
  {
    chapter: '06-results.mdx',
    text: 'an AUROC of at least 0.90 on our own wild printouts',
    why: 'a target set before the real-images work',
  },
  { chapter: '07-reading-back.mdx', text: '95% CI', why: 'the name of the interval that follows' },
  { chapter: '07-reading-back.mdx', text: '(CC BY 4.0)', why: "PTB-XL's licence, in the figure's source line" },
];

/** A percentage, or a decimal number (0.779, 10.01): what a quoted result looks like. */
const FIGURE = /\d+(?:\.\d+)?\s?%|\b\d*\.\d+\b/g;

function body(chapter: string): string {
  const src = readFileSync(join(DIR, chapter), 'utf8');
  return src.replace(/^---[\s\S]*?\n---\n/, '').replace(/^import .*$/gm, '');
}

/** The prose with every sourced figure taken out (components, code spans, chart placeholders). */
function untracedFigures(chapter: string): { figures: string[]; sourced: number } {
  let text = body(chapter);
  let sourced = 0;
  const drop = (re: RegExp) => {
    text = text.replace(re, () => {
      sourced++;
      return ' ';
    });
  };
  drop(/<Metric\s[^>]*\/>/g);
  drop(/<FromStudy\s[^>]*\/>/g);
  drop(/<Published\s[^>]*>[^<]*<\/Published>/g);
  // not prose: code spans (model and layer names), chart placeholders and their props, citations
  text = text
    .replace(/`[^`]*`/g, ' ')
    .replace(/<Numbered\s[^>]*\/>/g, ' ')
    .replace(/<Cite\s[^>]*\/>/g, ' ');
  text = text.replace(/\s+/g, ' ');
  for (const n of NOT_RESULTS.filter((x) => x.chapter === chapter)) {
    expect(text.includes(n.text), `${chapter}: the listed non-result "${n.text}" is not in the chapter any more`).toBe(
      true,
    );
    text = text.split(n.text).join(' ');
  }
  const figures = [...text.matchAll(FIGURE)].map(
    (m) => `${m[0]} in “…${text.slice(Math.max(0, m.index! - 40), m.index! + m[0].length + 10).replace(/\s+/g, ' ')}…”`,
  );
  return { figures, sourced };
}

describe('every number in the Training, Results and Reading-back prose comes from data or is labelled as published', () => {
  for (const chapter of CHAPTERS) {
    it(`${chapter}: no typed-in figure`, () => {
      const { figures, sourced } = untracedFigures(chapter);
      expect(figures).toEqual([]);
      // these chapters quote their figures through the components; none at all would mean the check saw nothing
      expect(sourced).toBeGreaterThan(10);
    });
  }

  it('the check catches a typed-in figure (self-test)', () => {
    const FIG = new RegExp(FIGURE.source, 'g');
    const sample = 'On its own style it reaches an AUROC of 0.891 and a recall of 71.1%.';
    expect(sample.match(FIG)).toEqual(['0.891', '71.1%']);
  });

  it('<FromStudy> fields exist and <Published> names a cited reference in the same paragraph', () => {
    const figures = loadStudyFigures();
    for (const chapter of CHAPTERS) {
      const text = body(chapter);
      for (const m of text.matchAll(/<FromStudy\s[^>]*field="([^"]+)"/g)) {
        expect(STUDY_FIELDS as readonly string[], `${chapter}: ${m[0]}`).toContain(m[1]);
        expect(Number.isFinite(figures[m[1] as (typeof STUDY_FIELDS)[number]].value)).toBe(true);
      }
      const paragraphs = text.split(/\n\s*\n/);
      for (const p of paragraphs) {
        for (const m of p.matchAll(/<Published\s+by="([^"]+)"/g)) {
          expect(() => getReference(m[1]!)).not.toThrow();
          expect(p, `${chapter}: a <Published by="${m[1]}"> without <Cite id="${m[1]}"> in its paragraph`).toMatch(
            new RegExp(`<Cite\\s+id="[^"]*\\b${m[1]}\\b`),
          );
        }
      }
    }
  });

  it("the study's derived figures follow from its published ones", () => {
    const f = loadStudyFigures();
    const s = f.baseline_error_rate.value;
    // accuracy = share × recall + (1 − share) × specificity
    expect(s * f.best_recall.value + (1 - s) * f.implied_specificity.value).toBeCloseTo(f.best_accuracy.value, 12);
    expect(f.best_accuracy.value).toBeCloseTo(1 - f.best_error_rate.value, 12);
    expect(f.baseline_accuracy.value).toBeCloseTo(1 - s, 12);
    // the published row the headline quotes: ResNet152 at batch 16, error rate 10.01% (data/study/final_results.csv)
    expect(f.best_error_rate.value).toBeCloseTo(0.100069, 6);
    expect(f.log_epochs.value).toBeGreaterThan(f.log_recall0.value + f.log_recall1.value);
    expect(f.log_recall0.value).toBeGreaterThan(0);
    expect(f.implied_precision.value).toBeGreaterThan(0);
  });
});
