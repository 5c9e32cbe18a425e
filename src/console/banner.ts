import type { ConsoleMode } from './access.ts';

/** The line `npm start` prints so a newcomer finds the console (empty when it is off). */
export function consoleBanner(serverUrl: string, mode: ConsoleMode): string {
  if (mode === 'off') return '';
  const url = `${serverUrl.replace(/\/+$/, '')}/console`;
  return mode === 'local'
    ? `guardline: console at ${url} (this machine only; click "Play sample call" to watch decisions flow)\n`
    : `guardline: console at ${url} (sign in with a user token: \`npx guardline token --user YOU --roles manager\`)\n`;
}
