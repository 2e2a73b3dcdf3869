import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * The chart library's files, served by the dashboard itself from the installed uPlot package
 * (no CDN: operators' dashboards often have no way out). Resolved through Node's module
 * resolution, so it works from the source, the built dist and an installed package alike.
 */
export const CHART_ASSETS: Record<string, { file: string; type: string }> = {
  '/assets/uPlot.iife.min.js': { file: 'uplot/dist/uPlot.iife.min.js', type: 'text/javascript; charset=utf-8' },
  '/assets/uPlot.min.css': { file: 'uplot/dist/uPlot.min.css', type: 'text/css; charset=utf-8' },
};

const cache = new Map<string, Promise<Buffer>>();

export function chartAsset(path: string): Promise<{ body: Buffer; type: string }> | undefined {
  const asset = CHART_ASSETS[path];
  if (!asset) return undefined;
  let body = cache.get(path);
  if (!body) {
    body = readFile(require.resolve(asset.file));
    cache.set(path, body);
  }
  return body.then((b) => ({ body: b, type: asset.type }));
}
