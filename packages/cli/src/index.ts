export { parseAcl, formatAcl } from './acl-text.js';
export { table, formatStat } from './output.js';
