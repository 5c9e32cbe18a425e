import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './codes.ts';
import { withErrorTable } from './table.ts';

describe('error codes', () => {
  it('the README lists every GL_* code exactly as declared (run `npm run docs:errors` after adding one)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toBe(withErrorTable(readme));
  });

  it('every code is GL_-prefixed and says what to do', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^GL_[A-Z0-9_]+$/);
      expect(spec.action.length).toBeGreaterThan(10);
    }
  });
});
