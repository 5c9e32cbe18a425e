/** `npm run docs:errors`: rewrites the README's error-code table from src/errors/codes.ts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { withErrorTable } from './table.ts';

const readme = new URL('../../README.md', import.meta.url);
writeFileSync(readme, withErrorTable(readFileSync(readme, 'utf8')));
console.log('README.md error-code table updated');
