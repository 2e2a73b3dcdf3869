#!/usr/bin/env node
// The `zoo` command. This committed file, not the built dist/cli.js, is the package's bin so
// that `npm ci` in a fresh clone links node_modules/.bin/zoo before anything is built.
const cli = new URL('../dist/cli.js', import.meta.url);
try {
  await import(cli.href);
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(cli.pathname)) {
    console.error('zoo: @zoo/cli is not built yet; run `npm run build` first (`npm start` builds too)');
    process.exit(1);
  }
  throw err;
}
