import { getCollection, type CollectionEntry } from 'astro:content';

export type Chapter = CollectionEntry<'chapters'>;

/** Route slug of a chapter: its file name without the "NN-" prefix. */
export function chapterSlug(entry: Chapter): string {
  return entry.id.replace(/^\d+-/, '');
}

/** All chapters in reading order. */
export async function getChapters(): Promise<Chapter[]> {
  const all = await getCollection('chapters');
  return all.sort((a, b) => a.data.order - b.data.order);
}
