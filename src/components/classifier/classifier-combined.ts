/**
 * The demo's combined verdict (issues 11 and 12): the image model's and the signal model's readings of one picture
 * put together by src/lib/model/combine.ts, with what that verdict scored where it was measured (eval:combined,
 * read at build time by Classifier.astro). Writes the "Both readings together" box only; DOM built with
 * createElement.
 */
import type { CombinedVerdict } from '../../lib/model/combine';
import { el } from '../dom';

/**
 * What the page knows about the combined verdict at build time: its threshold (chosen on fold 9, from its verdict
 * file) and its figures on each set it was measured on.
 */
export interface CombinedConfig {
  marginThreshold: number;
  figures: Array<{ set: string; n: number; auroc: number; sensitivity: number; specificity: number; file: string }>;
  /**
   * On our simulated phone photos: the verdict's AUROC beside the image model's alone on the same pictures, where
   * both were measured (null otherwise). There the second reading often follows the wrong ink and the verdict
   * ranks pictures worse than the image model alone, which the box then says.
   */
  photo: { n: number; auroc: number; imageAuroc: number; file: string } | null;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

function box(root: HTMLElement, state: string, ...content: Node[]): void {
  const b = root.querySelector<HTMLElement>('[data-clf-combined-reading]');
  if (!b) return; // no combined verdict in this build (not measured)
  b.dataset.state = state;
  delete b.dataset.combinedDecision;
  b.replaceChildren(...content);
}

export function showCombinedBusy(root: HTMLElement): void {
  box(root, 'busy', el('p', { className: 'clf-placeholder' }, 'Waiting for both readings…'));
}

export function clearCombined(root: HTMLElement, why: string): void {
  box(root, 'idle', el('p', { className: 'clf-placeholder' }, why));
}

/** The EKG check refused the picture: no verdict, as for the two readings. */
export function showCombinedWithheld(root: HTMLElement): void {
  box(
    root,
    'withheld',
    el('p', { className: 'clf-placeholder' }, 'Held back: the EKG check said this is probably not an EKG.'),
  );
}

/** The verdict, its score against its threshold, and what it scored where it was measured. */
export function showCombinedVerdict(root: HTMLElement, cfg: CombinedConfig, v: CombinedVerdict, why?: string): void {
  const lines: Node[] = [
    el(
      'p',
      { className: `clf-prob clf-decision-${v.mi ? 'MI' : 'Normal'}`, data: { clfCombinedDecision: '' } },
      v.mi ? 'Together: MI' : 'Together: no MI',
    ),
  ];
  if (v.readings === 2) {
    lines.push(
      el(
        'p',
        {},
        'Combined score ',
        el('strong', { data: { clfCombinedScore: '' } }, v.score!.toFixed(3)),
        ` against ${v.threshold!.toFixed(3)}: the two scores averaged on the log-odds scale, against the two thresholds averaged the same way and raised by the verdict's own (chosen on the validation fold).`,
      ),
    );
  } else {
    lines.push(
      el(
        'p',
        { data: { clfCombinedImageOnly: '' } },
        `${why ?? 'There is no second reading of this picture'}, so this verdict is the image model's alone.`,
      ),
    );
  }
  const where = cfg.figures
    .map(
      (f) =>
        `on ${f.set} (n ${f.n}) it caught ${pct(f.sensitivity)} of the MI records and cleared ${pct(f.specificity)} of the others`,
    )
    .join('; ');
  const photo = cfg.photo;
  const photoText =
    photo && photo.auroc < photo.imageAuroc
      ? ` On our simulated phone photos (n ${photo.n}) it ranked the pictures worse than the image model alone (AUROC ${photo.auroc.toFixed(3)} against ${photo.imageAuroc.toFixed(3)}): the digitiser often follows the wrong ink there. For a phone photo, the image model's reading alone measured better.`
      : '';
  lines.push(
    el(
      'p',
      { data: { clfCombinedMeasured: '' } },
      `Measured: ${where}. ECG-Image-Kit's pages are a development set we also looked at while building.${photoText}`,
    ),
    el(
      'p',
      { className: 'clf-note' },
      el('strong', {}, 'Not a diagnosis.'),
      ' Two research models that were only tested on computer-drawn PTB-XL images. Do not act on it.',
    ),
  );
  box(root, 'done', ...lines);
  const b = root.querySelector<HTMLElement>('[data-clf-combined-reading]');
  if (b) b.dataset.combinedDecision = v.mi ? 'MI' : 'Normal';
}
