import { describe, expect, it } from 'vitest';
import { REFERENCES, referenceLink, shortLabel } from '../../src/lib/references';

describe('the bibliography (src/lib/references.ts)', () => {
  it('every reference has its real title, not a description or a placeholder', () => {
    for (const r of REFERENCES) {
      expect(r.title, r.id).not.toMatch(/described here|placeholder|TODO|TBD|\?\?/i);
      expect(r.title.trim().length, r.id).toBeGreaterThan(5);
      expect(r.authors, r.id).not.toMatch(/^\w+ et al\.?$/); // a bare "Chen et al." is not an author list
    }
  });

  it('every reference links to the work (DOI preferred), or says why it cannot', () => {
    for (const r of REFERENCES) {
      if (r.doi) expect(r.doi, r.id).toMatch(/^10\.\d{4,9}\/\S+$/);
      if (r.url) expect(r.url, r.id).toMatch(/^https:\/\/[^\s]+$/);
      const link = referenceLink(r);
      if (!link) expect((r.noLink ?? '').length, `${r.id} has no DOI or URL and no reason`).toBeGreaterThan(10);
      else expect(r.noLink, `${r.id} has a link and a reason for having none`).toBeUndefined();
    }
    // most have one
    expect(REFERENCES.filter((r) => referenceLink(r)).length).toBeGreaterThanOrEqual(REFERENCES.length - 2);
  });

  it('ids are unique and short labels read as author and year', () => {
    expect(new Set(REFERENCES.map((r) => r.id)).size).toBe(REFERENCES.length);
    const chen = REFERENCES.find((r) => r.id === 'chen2021')!;
    expect(shortLabel(chen)).toBe('Chen et al. 2021');
  });
});
