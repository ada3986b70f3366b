import { describe, expect, it } from 'vitest';
import {
  decodePngDataUrl,
  encodePngDataUrl,
  HandoffError,
  isHandoffSource,
  PENDING_IMAGE_KEY,
  PENDING_LABEL_KEY,
  PENDING_SOURCE_KEY,
  SEND_EVENT,
  sendToClassifier,
  storePending,
  takePending,
  type Handoff,
} from '../../src/lib/handoff';
import type { RasterImage } from '../../src/lib/render/types';

class MemoryStorage implements Storage {
  private m = new Map<string, string>();
  blocked = false;
  get length() {
    return this.m.size;
  }
  clear() {
    this.m.clear();
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  getItem(k: string) {
    if (this.blocked) throw new Error('SecurityError');
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    if (this.blocked) throw new Error('QuotaExceededError');
    this.m.set(k, v);
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
}

const gray: RasterImage = {
  width: 7,
  height: 5,
  channels: 1,
  data: Uint8ClampedArray.from({ length: 35 }, (_, i) => (i * 37) % 256),
};
const rgba: RasterImage = {
  width: 3,
  height: 2,
  channels: 4,
  data: Uint8ClampedArray.from({ length: 24 }, (_, i) => (i % 4 === 3 ? 255 : i * 11)),
};

describe('generator -> classifier hand-off', () => {
  it('keys and event name are the ones the islands and tests use', () => {
    expect(SEND_EVENT).toBe('heartnet:send-to-classifier');
    expect(PENDING_IMAGE_KEY).toBe('heartnet:pending-image');
    expect(PENDING_LABEL_KEY).toBe('heartnet:pending-image-label');
  });

  it('a PNG data URL gives back the exact pixels (gray and RGBA)', async () => {
    for (const img of [gray, rgba]) {
      const url = await encodePngDataUrl(img);
      expect(url.startsWith('data:image/png;base64,')).toBe(true);
      expect(await decodePngDataUrl(url)).toEqual(img);
    }
  });

  it('refuses what is not a PNG data URL, or not a readable one', async () => {
    await expect(decodePngDataUrl('data:image/jpeg;base64,AAAA')).rejects.toMatchObject({ code: 'not-png' });
    await expect(decodePngDataUrl('data:image/png;base64,AAAA')).rejects.toMatchObject({ code: 'decode-failed' });
    await expect(decodePngDataUrl('data:image/png;base64,AAAA')).rejects.toBeInstanceOf(HandoffError);
  });

  it('stores once and takes once; blocked storage means nothing is pending', async () => {
    const s = new MemoryStorage();
    await storePending(s, { image: gray, label: 'record 1' });
    const got = takePending(s, 'default');
    expect(got?.label).toBe('record 1');
    expect(await decodePngDataUrl(got!.url)).toEqual(gray);
    expect(takePending(s, 'default')).toBeNull();
    s.setItem(PENDING_IMAGE_KEY, 'data:image/png;base64,x');
    expect(takePending(s, 'default')?.label).toBe('default');
    s.blocked = true;
    expect(takePending(s, 'default')).toBeNull();
    await expect(storePending(s, { image: gray, label: 'x' })).rejects.toThrow(/Quota/);
  });

  it('what the picture shows (record, style, seed, filters, wild panels) crosses pages once, when well-formed', async () => {
    expect(PENDING_SOURCE_KEY).toBe('heartnet:pending-image-source');
    const source = {
      ecgId: 63,
      style: 'wild-photo' as const,
      seed: 12,
      filters: ['baseline' as const, 'lowpass' as const],
      panels: [{ lead: 'I', rhythm: false, t0: 0, t1: 2.5 }],
    };
    expect(isHandoffSource(source)).toBe(true);
    expect(isHandoffSource({ ...source, panels: undefined })).toBe(true);
    for (const bad of [
      null,
      3,
      { ...source, ecgId: 'x' },
      { ...source, filters: ['sharpen'] },
      { ...source, panels: [{ lead: 'I' }] },
    ])
      expect(isHandoffSource(bad)).toBe(false);
    const s = new MemoryStorage();
    await storePending(s, { image: gray, label: 'record 63', source });
    expect(takePending(s, 'default')).toMatchObject({ label: 'record 63', source });
    expect(s.getItem(PENDING_SOURCE_KEY)).toBeNull();
    // an image without a source clears a stale one; a malformed one is dropped, the image still taken
    s.setItem(PENDING_SOURCE_KEY, JSON.stringify(source));
    await storePending(s, { image: gray, label: 'plain' });
    expect(takePending(s, 'default')?.source).toBeUndefined();
    await storePending(s, { image: gray, label: 'x' });
    s.setItem(PENDING_SOURCE_KEY, '{not json');
    const got = takePending(s, 'default');
    expect(got?.label).toBe('x');
    expect(got?.source).toBeUndefined();
  });

  it('same page: the event carries the image and label', () => {
    const target = new EventTarget();
    const seen: Handoff[] = [];
    target.addEventListener(SEND_EVENT, (e) => seen.push((e as CustomEvent<Handoff>).detail));
    sendToClassifier(target, { image: rgba, label: 'x' });
    expect(seen).toEqual([{ image: rgba, label: 'x' }]);
  });
});
