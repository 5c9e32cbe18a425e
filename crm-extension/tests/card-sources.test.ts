import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CARDS = join(import.meta.dirname, '..', 'src', 'app', 'cards');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(entry.name) ? [path] : [];
  });
}

describe('card sources', () => {
  it('use only what runs in HubSpot’s extension sandbox: no window, no document, no plain fetch', () => {
    const files = sources(CARDS);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/\bwindow\b|\bdocument\b|\blocalStorage\b|\bXMLHttpRequest\b/);
      expect(code.replace(/hubspot\.fetch\(/g, ''), file).not.toMatch(/(^|[^.\w])fetch\(/m);
    }
  });

  it('import only React, the HubSpot SDK, zod and each other', () => {
    for (const file of sources(CARDS)) {
      const imports = [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1] ?? '');
      for (const spec of imports) {
        expect(
          spec.startsWith('.') || ['react', '@hubspot/ui-extensions', 'zod'].includes(spec),
          `${file}: ${spec}`,
        ).toBe(true);
        expect(spec.startsWith('../../../..'), `${file} reaches outside the HubSpot project: ${spec}`).toBe(false);
      }
    }
  });
});
