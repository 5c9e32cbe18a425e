import type { Command } from '../command.ts';
import { analyze } from './analyze.ts';
import { auditCheckpoint } from './audit/checkpoint.ts';
import { auditExport } from './audit/export.ts';
import { auditVerify } from './audit/verify.ts';
import { crmOutbox } from './crm/outbox.ts';
import { crmRollback } from './crm/rollback.ts';
import { demo } from './demo.ts';
import { policyApprove } from './policy/approve.ts';
import { policyCheck } from './policy/check.ts';
import { policyDiff } from './policy/diff.ts';
import { policyList } from './policy/list.ts';
import { policyPublish } from './policy/publish.ts';
import { policyRollback } from './policy/rollback.ts';
import { policyShadow, policyShadowReport } from './policy/shadow.ts';
import { sessionExport } from './session/export.ts';
import { replay } from './session/replay.ts';
import { start } from './start.ts';
import { suspend } from './suspend.ts';
import { token } from './token.ts';

/** Every `guardline` subcommand. Add a new one here, in its own module under `commands/` (in the folder of its concept: audit, crm, policy, session). */
export const COMMANDS: readonly Command[] = [
  crmOutbox,
  crmRollback,
  policyCheck,
  policyPublish,
  policyList,
  policyDiff,
  policyRollback,
  policyApprove,
  policyShadow,
  policyShadowReport,
  replay,
  sessionExport,
  suspend,
  demo,
  auditVerify,
  auditCheckpoint,
  auditExport,
  analyze,
  token,
  start,
];
