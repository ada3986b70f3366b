import { defineCollection, z } from 'astro:content';
import { glob } from 'astro/loaders';

/**
 * The report's chapters: src/content/chapters/NN-slug.mdx, routed at <base>/chapters/<slug>/.
 * The numeric prefix only orders files on disk; `order` orders the report.
 */
const chapters = defineCollection({
  loader: glob({ pattern: '[0-9][0-9]-*.mdx', base: './src/content/chapters' }),
  schema: z.object({
    title: z.string(),
    /** Short label for the header navigation. */
    nav: z.string(),
    order: z.number().int().positive(),
    summary: z.string(),
  }),
});

export const collections = { chapters };
