import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const JWT_SECRET_FILE = 'jwt-secret';

/**
 * The development signing secret when GUARDLINE_JWT_SECRET is not set: generated once per data
 * directory (mode 0600) so `npm start` and `guardline token` agree with no setup.
 */
export function devJwtSecret(dataDir: string): { secret: string; file: string; generated: boolean } {
  const file = path.join(dataDir, JWT_SECRET_FILE);
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return { secret, file, generated: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { secret, file, generated: true };
}
