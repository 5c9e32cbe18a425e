import type { z } from 'zod';
import { GuardlineError } from '../errors/index.ts';

/**
 * An environment variable holding JSON, checked against `schema`: undefined when unset or blank;
 * `GL_CONFIG_INVALID` naming the variable (and the schema's issues) when it is not valid JSON or
 * does not match.
 */
export function parseJsonEnv<S extends z.ZodType>(
  name: string,
  value: string | undefined,
  schema: S,
): z.infer<S> | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new GuardlineError('GL_CONFIG_INVALID', `${name} is not valid JSON.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new GuardlineError('GL_CONFIG_INVALID', `${name} does not match its schema.`, {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  return parsed.data;
}
