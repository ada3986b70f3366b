/** Strict parser for PTB-XL's `scp_codes` column: a Python dict literal of string keys to numbers or None. Pure. */

/** Parsed `scp_codes`: code -> likelihood in percent (0-100), or null where the source gives `None`. */
export type ScpCodes = Record<string, number | null>;

/**
 * Parses e.g. `{'NORM': 100.0, 'SR': 0.0}` or `{'IMI': None}`. Keys are single- or double-quoted strings without
 * escapes; values are decimal numbers or `None`. Returns the problem as a string instead of throwing so callers can
 * attach file and line.
 */
export function parseScpCodesLiteral(text: string): { ok: true; codes: ScpCodes } | { ok: false; problem: string } {
  let i = 0;
  const s = text;
  const codes: ScpCodes = {};
  const ws = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const fail = (what: string) => ({
    ok: false as const,
    problem: `malformed scp_codes ${JSON.stringify(text)}: ${what} at position ${i + 1}`,
  });
  ws();
  if (s[i] !== '{') return fail("expected '{'");
  i++;
  ws();
  if (s[i] === '}') {
    i++;
    ws();
    return i === s.length ? { ok: true, codes } : fail('unexpected text after the closing brace');
  }
  for (;;) {
    ws();
    const q = s[i];
    if (q !== "'" && q !== '"') return fail('expected a quoted code');
    const end = s.indexOf(q, i + 1);
    if (end < 0) return fail('unterminated code string');
    const key = s.slice(i + 1, end);
    if (key === '' || key.includes('\\')) return fail('empty or escaped code');
    if (Object.prototype.hasOwnProperty.call(codes, key)) return fail(`duplicate code '${key}'`);
    i = end + 1;
    ws();
    if (s[i] !== ':') return fail("expected ':'");
    i++;
    ws();
    let value: number | null;
    if (s.startsWith('None', i)) {
      value = null;
      i += 4;
    } else {
      const m = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(s.slice(i));
      if (!m) return fail('expected a number or None');
      value = Number(m[0]);
      i += m[0].length;
    }
    codes[key] = value;
    ws();
    if (s[i] === ',') {
      i++;
      ws();
      if (s[i] === '}') break; // trailing comma, as Python allows
      continue;
    }
    if (s[i] === '}') break;
    return fail("expected ',' or '}'");
  }
  i++;
  ws();
  if (i !== s.length) return fail('unexpected text after the closing brace');
  return { ok: true, codes };
}
