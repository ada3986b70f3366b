/**
 * Serves the tiny test-fixture model (tests/fixtures/model/tiny) at <base>/demo/fixture-model/ while
 * public/models holds no exported model, so the demo and its end-to-end tests work before training has run.
 * Once a real model exists this route generates no files.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { APIRoute, GetStaticPaths } from 'astro';
import { FIXTURE_MODEL_DIR, fixtureModelFiles } from '../../../components/classifier/model-info';

export const getStaticPaths: GetStaticPaths = () => fixtureModelFiles().map((file) => ({ params: { file } }));

export const GET: APIRoute = ({ params }) => {
  const file = String(params.file);
  const body = readFileSync(path.join(process.cwd(), FIXTURE_MODEL_DIR, file));
  const type = file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
  return new Response(body, { headers: { 'Content-Type': type } });
};
