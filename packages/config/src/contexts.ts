import { validatePath } from '@zoo/core';

export interface ContextOptions {
  /** Spring Cloud Zookeeper's `root`; default `/config`. */
  root?: string;
  /** Spring's `defaultContext`; default `application`. */
  defaultContext?: string;
  /** Spring's `profileSeparator`; default `,`. */
  separator?: string;
}

/**
 * The contexts Spring Cloud Zookeeper reads for an application and its profiles, most
 * specific first: `<root>/<app>,<profile>` (later profiles first), `<root>/<app>`,
 * `<root>/<default>,<profile>`, `<root>/<default>`.
 */
export function contextPaths(app: string, profiles: readonly string[], options: ContextOptions = {}): string[] {
  const root = options.root ?? '/config';
  validatePath(root);
  const base = root === '/' ? '' : root;
  const def = options.defaultContext ?? 'application';
  const sep = options.separator ?? ',';
  const reversed = [...profiles].reverse();
  const out = [...reversed.map((p) => `${base}/${app}${sep}${p}`), `${base}/${app}`, ...reversed.map((p) => `${base}/${def}${sep}${p}`), `${base}/${def}`];
  for (const p of out) validatePath(p);
  return [...new Set(out)];
}
