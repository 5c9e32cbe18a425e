/**
 * The store contract: one interface, two backends (SQLite embedded default, PostgreSQL for many
 * runtime nodes), the same migrations and the same test suite. Every method is async. Every write
 * goes through the store's group committer: writes arriving in the same tick share one durable
 * transaction, and a promise resolves only once its write is durable.
 */
import type { Decision, Directive } from '../model/index.ts';
import type { ApprovalStatus, ApprovalsStore, OverridesStore } from './contract/approvals.ts';
import type { AuditEntry, AuditStore } from './contract/audit.ts';
import type { BudgetMetric, BudgetsStore } from './contract/budgets.ts';
import type { OutboxEnqueue, OutboxStore } from './contract/outbox.ts';
import type { PoliciesStore, PublicationsStore, ShadowStore, SuspensionsStore } from './contract/policies.ts';
import type {
  DecisionsStore,
  DirectivesStore,
  InputsStore,
  NodesStore,
  SessionInput,
  SessionsStore,
} from './contract/sessions.ts';

export type * from './contract/approvals.ts';
export type * from './contract/audit.ts';
export type * from './contract/budgets.ts';
export type * from './contract/common.ts';
export type * from './contract/outbox.ts';
export type * from './contract/policies.ts';
export type * from './contract/sessions.ts';

// --- the durability entry point --------------------------------------------------------------
/**
 * One thing the runtime decided, made durable with its audit entry in one transaction shared
 * with every other item that arrives in the same tick (group commit).
 */
export interface RecordItem {
  /** Agent identity (`agent:<id>`) or human identity (`human:<id>`) or `system`. */
  actor: string;
  decision?: Decision;
  directive?: Directive;
  /** The input that led to it, for replay (appended if not already present). */
  input?: SessionInput;
  /** CRM writes this decision queues. */
  outbox?: OutboxEnqueue[];
  /**
   * Parked CRM writes this decision sends again: back to `pending`, due now, attempts from 0, under
   * this decision. A row that is no longer parked is left as it is.
   */
  requeue?: string[];
  /** Tenant and agent of the session, stored with an approval request (for budgets and listing). */
  tenantId?: string;
  agentId?: string;
}

/** Everything one applied input makes durable (see `Store.recordInput`). */
export interface InputWrites {
  /** The input's replay row. */
  input: SessionInput;
  /** Its decisions and directives (the input row is written once, from `input`); none when it produced neither. */
  items: RecordItem[];
  /** CRM writes no item carries (a do-not-call mark from an input without a directive). */
  outbox?: OutboxEnqueue[];
}

export interface RecordResult {
  /** The audit entries written: the decision or directive, then `approval_requested` if any. */
  entries: AuditEntry[];
}

export interface ApprovalEvent {
  approvalId: string;
  status: ApprovalStatus;
  sessionId: string;
}

/** Budget counters moved by one charge (a call counted, concession value granted, an approval requested). */
export interface BudgetEvent {
  charges: { scope: string; metric: BudgetMetric; day: string }[];
}

/** What the store announces once committed: to this node, and on PostgreSQL to every node. */
export type StoreEvent = ({ type: 'approval' } & ApprovalEvent) | ({ type: 'budget' } & BudgetEvent);

export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  readonly sessions: SessionsStore;
  readonly nodes: NodesStore;
  readonly inputs: InputsStore;
  readonly decisions: DecisionsStore;
  readonly directives: DirectivesStore;
  readonly approvals: ApprovalsStore;
  readonly overrides: OverridesStore;
  readonly outbox: OutboxStore;
  readonly policies: PoliciesStore;
  readonly budgets: BudgetsStore;
  readonly publications: PublicationsStore;
  readonly suspensions: SuspensionsStore;
  readonly shadow: ShadowStore;
  readonly audit: AuditStore;
  /**
   * Makes a decision or directive durable with its audit entry and the rows it creates (an
   * approval request for `needs_approval`, CRM outbox rows, the input). Resolves only once
   * durable; rejects (and writes nothing for this item) on failure.
   */
  record(item: RecordItem): Promise<RecordResult>;
  /**
   * One applied input's writes as one unit of the group commit: its input row, its items (each as
   * `record` would write it) and its loose CRM writes. All of it is durable, or none.
   */
  recordInput(writes: InputWrites): Promise<RecordResult[]>;
  /**
   * Approval status changes, from this node and (PostgreSQL: LISTEN/NOTIFY on
   * `guardline_approvals`) every other node sharing the database. Resolves, once events will be
   * delivered, to the function that unsubscribes.
   */
  onApproval(listener: (event: ApprovalEvent) => void): Promise<() => void>;
  /**
   * Budget counters moved by a charge, from this node and (PostgreSQL) every other, so that every
   * live session can be told what is left. Resolves to the function that unsubscribes.
   */
  onBudgetSpent(listener: (event: BudgetEvent) => void): Promise<() => void>;
  /** The public key that verifies this store's signed heads (PEM, SPKI). */
  readonly auditPublicKeyPem: string;
  close(): Promise<void>;
}
