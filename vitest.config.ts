import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'machines/**/*.test.ts',
      'telephony/**/*.test.ts',
      'policies/**/*.test.ts',
      'test/**/*.test.ts',
      'crm-extension/tests/**/*.test.{ts,tsx}',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
