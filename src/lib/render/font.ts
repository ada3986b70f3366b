/**
 * A tiny embedded 5x7 bitmap font (ASCII letters, digits and a little punctuation), so the renderer needs no
 * font files and draws text identically everywhere. Each glyph is 7 rows of 5 cells; '#' = ink. Characters
 * without a glyph are drawn as '?'.
 */
import type { Canvas, Rgb } from './raster';

const G = (rows: string) => rows;
// prettier-ignore
const GLYPH_LIST: Array<[string, string]> = [
  [' ', G('..... ..... ..... ..... ..... ..... .....')],
  ['A', G('.###. #...# #...# ##### #...# #...# #...#')],
  ['B', G('####. #...# #...# ####. #...# #...# ####.')],
  ['C', G('.###. #...# #.... #.... #.... #...# .###.')],
  ['D', G('####. #...# #...# #...# #...# #...# ####.')],
  ['E', G('##### #.... #.... ####. #.... #.... #####')],
  ['F', G('##### #.... #.... ####. #.... #.... #....')],
  ['G', G('.###. #...# #.... #.### #...# #...# .####')],
  ['H', G('#...# #...# #...# ##### #...# #...# #...#')],
  ['I', G('.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.')],
  ['J', G('..### ...#. ...#. ...#. ...#. #..#. .##..')],
  ['K', G('#...# #..#. #.#.. ##... #.#.. #..#. #...#')],
  ['L', G('#.... #.... #.... #.... #.... #.... #####')],
  ['M', G('#...# ##.## #.#.# #.#.# #...# #...# #...#')],
  ['N', G('#...# #...# ##..# #.#.# #..## #...# #...#')],
  ['O', G('.###. #...# #...# #...# #...# #...# .###.')],
  ['P', G('####. #...# #...# ####. #.... #.... #....')],
  ['Q', G('.###. #...# #...# #...# #.#.# #..#. .##.#')],
  ['R', G('####. #...# #...# ####. #.#.. #..#. #...#')],
  ['S', G('.#### #.... #.... .###. ....# ....# ####.')],
  ['T', G('##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..')],
  ['U', G('#...# #...# #...# #...# #...# #...# .###.')],
  ['V', G('#...# #...# #...# #...# #...# .#.#. ..#..')],
  ['W', G('#...# #...# #...# #.#.# #.#.# #.#.# .#.#.')],
  ['X', G('#...# #...# .#.#. ..#.. .#.#. #...# #...#')],
  ['Y', G('#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..')],
  ['Z', G('##### ....# ...#. ..#.. .#... #.... #####')],
  ['a', G('..... ..... .###. ....# .#### #...# .####')],
  ['b', G('#.... #.... #.##. ##..# #...# #...# ####.')],
  ['c', G('..... ..... .###. #.... #.... #...# .###.')],
  ['d', G('....# ....# .##.# #..## #...# #...# .####')],
  ['e', G('..... ..... .###. #...# ##### #.... .###.')],
  ['f', G('..##. .#..# .#... ###.. .#... .#... .#...')],
  ['g', G('..... .#### #...# #...# .#### ....# .###.')],
  ['h', G('#.... #.... #.##. ##..# #...# #...# #...#')],
  ['i', G('..#.. ..... .##.. ..#.. ..#.. ..#.. .###.')],
  ['j', G('...#. ..... ..##. ...#. ...#. #..#. .##..')],
  ['k', G('#.... #.... #..#. #.#.. ##... #.#.. #..#.')],
  ['l', G('.##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.')],
  ['m', G('..... ..... ##.#. #.#.# #.#.# #...# #...#')],
  ['n', G('..... ..... #.##. ##..# #...# #...# #...#')],
  ['o', G('..... ..... .###. #...# #...# #...# .###.')],
  ['p', G('..... ..... ####. #...# ####. #.... #....')],
  ['q', G('..... ..... .##.# #..## .#### ....# ....#')],
  ['r', G('..... ..... #.##. ##..# #.... #.... #....')],
  ['s', G('..... ..... .###. #.... .###. ....# ####.')],
  ['t', G('.#... .#... ###.. .#... .#... .#..# ..##.')],
  ['u', G('..... ..... #...# #...# #...# #..## .##.#')],
  ['v', G('..... ..... #...# #...# #...# .#.#. ..#..')],
  ['w', G('..... ..... #...# #...# #.#.# #.#.# .#.#.')],
  ['x', G('..... ..... #...# .#.#. ..#.. .#.#. #...#')],
  ['y', G('..... ..... #...# #...# .#### ....# .###.')],
  ['z', G('..... ..... ##### ...#. ..#.. .#... #####')],
  ['0', G('.###. #...# #..## #.#.# ##..# #...# .###.')],
  ['1', G('..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.')],
  ['2', G('.###. #...# ....# ...#. ..#.. .#... #####')],
  ['3', G('##### ...#. ..#.. ...#. ....# #...# .###.')],
  ['4', G('...#. ..##. .#.#. #..#. ##### ...#. ...#.')],
  ['5', G('##### #.... ####. ....# ....# #...# .###.')],
  ['6', G('..##. .#... #.... ####. #...# #...# .###.')],
  ['7', G('##### ....# ...#. ..#.. .#... .#... .#...')],
  ['8', G('.###. #...# #...# .###. #...# #...# .###.')],
  ['9', G('.###. #...# #...# .#### ....# ...#. .##..')],
  ['.', G('..... ..... ..... ..... ..... .##.. .##..')],
  [',', G('..... ..... ..... ..... .##.. ..#.. .#...')],
  [':', G('..... .##.. .##.. ..... .##.. .##.. .....')],
  [';', G('..... .##.. .##.. ..... .##.. ..#.. .#...')],
  ['-', G('..... ..... ..... ##### ..... ..... .....')],
  ['+', G('..... ..#.. ..#.. ##### ..#.. ..#.. .....')],
  ['=', G('..... ..... ##### ..... ##### ..... .....')],
  ['/', G('..... ....# ...#. ..#.. .#... #.... .....')],
  ['(', G('...#. ..#.. .#... .#... .#... ..#.. ...#.')],
  [')', G('.#... ..#.. ...#. ...#. ...#. ..#.. .#...')],
  ['%', G('##... ##..# ...#. ..#.. .#... #..## ...##')],
  ['#', G('.#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.')],
  ['_', G('..... ..... ..... ..... ..... ..... #####')],
  ['\'', G('..#.. ..#.. ..... ..... ..... ..... .....')],
  ['?', G('.###. #...# ....# ...#. ..#.. ..... ..#..')],
  ['!', G('..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..')],
  ['<', G('...#. ..#.. .#... #.... .#... ..#.. ...#.')],
  ['>', G('.#... ..#.. ...#. ....# ...#. ..#.. .#...')],
];

/** glyph -> 35 booleans (row-major 7 x 5). */
const GLYPHS = new Map<string, Uint8Array>();
for (const [ch, rows] of GLYPH_LIST) {
  const bits = rows.replace(/ /g, '');
  if (bits.length !== 35) throw new Error(`font: glyph '${ch}' has ${bits.length} cells, not 35`);
  const a = new Uint8Array(35);
  for (let i = 0; i < 35; i++) a[i] = bits[i] === '#' ? 1 : 0;
  GLYPHS.set(ch, a);
}

/** Width in pixels of `text` drawn with cap height `size` (glyph box 5 cells + 1 cell spacing, cell = size/7). */
export function textWidth(text: string, size: number): number {
  const cell = size / 7;
  return text.length === 0 ? 0 : (text.length * 6 - 1) * cell;
}

/**
 * Draws `text` with its top-left corner at (x, y) and glyph height `size` pixels. `bold` widens strokes by
 * 30% of a cell to the right (reads better at small sizes).
 */
export function drawText(canvas: Canvas, text: string, x: number, y: number, size: number, color: Rgb, bold = false): void {
  drawTextStyled(canvas, text, x, y, size, color, bold ? 'bold' : 'regular');
}

/** The looks the one embedded font can take: the wild renderer varies them like different machines' fonts. */
export type FontStyle = 'regular' | 'bold' | 'condensed' | 'slanted';

/**
 * `drawText` with a style: `condensed` narrows cells to 75%, `slanted` shears rows to the right by 20% of the
 * height (an italic), `bold` as in drawText. `alpha` is the ink's opacity.
 */
export function drawTextStyled(canvas: Canvas, text: string, x: number, y: number, size: number, color: Rgb, style: FontStyle, alpha = 1): void {
  const cell = size / 7;
  const cellW = style === 'condensed' ? cell * 0.75 : cell;
  const extra = style === 'bold' ? cell * 0.3 : 0;
  const shear = style === 'slanted' ? 0.2 * cell : 0;
  let pen = x;
  const fallback = GLYPHS.get('?') as Uint8Array;
  for (const ch of text) {
    const g = GLYPHS.get(ch) ?? fallback;
    for (let r = 0; r < 7; r++) {
      const dx = shear * (6 - r);
      let c = 0;
      while (c < 5) {
        if (g[r * 5 + c] === 0) {
          c++;
          continue;
        }
        // merge a horizontal run of ink cells into one rectangle (disjoint rects -> additive mask is exact)
        let e = c;
        while (e < 5 && g[r * 5 + e] === 1) e++;
        canvas.maskRect(pen + dx + c * cellW, y + r * cell, pen + dx + e * cellW + extra, y + (r + 1) * cell);
        c = e;
      }
    }
    pen += 6 * cellW;
  }
  canvas.composite(color, alpha);
}
