#!/usr/bin/env node
// The `zoo-server` command. Like @zoo/cli's bin, a committed file (not dist/bin.js) so that
// `npm ci` in a fresh clone links node_modules/.bin/zoo-server before anything is built.
const bin = new URL('../dist/bin.js', import.meta.url);
try {
  await import(bin.href);
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(bin.pathname)) {
    console.error('zoo-server: @zoo/server is not built yet; run `npm run build` first');
    process.exit(1);
  }
  throw err;
}
