import type { Command } from '../command.ts';
import { policyCheck } from './policy-check.ts';

/** Every `guardline` subcommand. Add a new one here, in its own module under `commands/`. */
export const COMMANDS: readonly Command[] = [policyCheck];
