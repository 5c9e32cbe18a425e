/** The fake portal's CRM data: objects by type, their associations, and a log of every write applied. */

export type PropertyValue = string | null;

export interface FakeRecord {
  id: string;
  type: string;
  properties: Record<string, PropertyValue>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  associations: { toType: string; toId: string; typeId: number }[];
}

export interface AppliedWrite {
  op: 'create' | 'update' | 'archive' | 'associate';
  type: string;
  id: string;
  properties: Record<string, PropertyValue>;
  at: number;
}

/** Properties every portal has, per object type; a write to any other property is a VALIDATION_ERROR. */
export const DEFAULT_PROPERTIES: Record<string, readonly string[]> = {
  contacts: [
    'email',
    'firstname',
    'lastname',
    'phone',
    'company',
    'lifecyclestage',
    'hs_lead_status',
    'notes_last_contacted',
  ],
  deals: ['dealname', 'amount', 'dealstage', 'pipeline', 'closedate', 'description', 'hs_next_step'],
  notes: ['hs_timestamp', 'hs_note_body', 'hubspot_owner_id'],
  calls: [
    'hs_timestamp',
    'hs_call_title',
    'hs_call_body',
    'hs_call_status',
    'hs_call_direction',
    'hs_call_duration',
    'hs_call_disposition',
    'hubspot_owner_id',
  ],
  tasks: ['hs_timestamp', 'hs_task_subject', 'hs_task_body', 'hs_task_status', 'hs_task_priority', 'hubspot_owner_id'],
};

/** Properties HubSpot requires on create, per type. */
export const REQUIRED_ON_CREATE: Record<string, readonly string[]> = {
  notes: ['hs_timestamp'],
  calls: ['hs_timestamp'],
  tasks: ['hs_timestamp'],
};

const READ_ONLY = new Set(['hs_object_id', 'hs_createdate', 'hs_lastmodifieddate', 'createdate', 'lastmodifieddate']);

export class FakePortalState {
  readonly records = new Map<string, Map<string, FakeRecord>>();
  readonly applied: AppliedWrite[] = [];
  private readonly schema: Map<string, Set<string>>;
  private nextId = 51_000;

  constructor(
    extraProperties: Record<string, readonly string[]> = {},
    private readonly onApplied: (write: AppliedWrite) => void = () => {},
  ) {
    this.schema = new Map();
    for (const [type, props] of Object.entries(DEFAULT_PROPERTIES)) {
      this.schema.set(type, new Set([...props, ...(extraProperties[type] ?? [])]));
    }
  }

  knowsType(type: string): boolean {
    return this.schema.has(type);
  }

  /** Names in `properties` the portal does not define for `type`, or that cannot be written. */
  invalidProperties(type: string, properties: Record<string, unknown>): string[] {
    const known = this.schema.get(type) ?? new Set<string>();
    return Object.keys(properties).filter((p) => !known.has(p) || READ_ONLY.has(p));
  }

  get(type: string, id: string): FakeRecord | undefined {
    const record = this.records.get(type)?.get(id);
    return record && !record.archived ? record : undefined;
  }

  list(type: string): FakeRecord[] {
    return [...(this.records.get(type)?.values() ?? [])].filter((r) => !r.archived);
  }

  /** Seeds a record directly (test setup); not logged as an applied write. */
  seed(type: string, properties: Record<string, unknown>, id?: string): FakeRecord {
    return this.insert(type, properties, id);
  }

  create(type: string, properties: Record<string, unknown>, associations: FakeRecord['associations']): FakeRecord {
    const record = this.insert(type, properties);
    record.associations.push(...associations);
    this.log('create', record, record.properties);
    return record;
  }

  update(record: FakeRecord, properties: Record<string, unknown>): FakeRecord {
    const normalized = normalize(properties);
    Object.assign(record.properties, normalized);
    record.updatedAt = new Date().toISOString();
    record.properties.hs_lastmodifieddate = record.updatedAt;
    this.log('update', record, normalized);
    return record;
  }

  archive(record: FakeRecord): void {
    record.archived = true;
    this.log('archive', record, {});
  }

  associate(record: FakeRecord, toType: string, toId: string, typeId: number): void {
    record.associations.push({ toType, toId, typeId });
    this.log('associate', record, {});
  }

  /** Applied writes touching one record, in order. */
  writesTo(type: string, id: string): AppliedWrite[] {
    return this.applied.filter((w) => w.type === type && w.id === id);
  }

  private insert(type: string, properties: Record<string, unknown>, id?: string): FakeRecord {
    const now = new Date().toISOString();
    const recordId = id ?? String(this.nextId++);
    const record: FakeRecord = {
      id: recordId,
      type,
      properties: { ...normalize(properties), hs_object_id: recordId, hs_createdate: now, hs_lastmodifieddate: now },
      createdAt: now,
      updatedAt: now,
      archived: false,
      associations: [],
    };
    let byId = this.records.get(type);
    if (!byId) {
      byId = new Map();
      this.records.set(type, byId);
    }
    byId.set(recordId, record);
    return record;
  }

  private log(op: AppliedWrite['op'], record: FakeRecord, properties: Record<string, PropertyValue>): void {
    const write: AppliedWrite = { op, type: record.type, id: record.id, properties: { ...properties }, at: Date.now() };
    this.applied.push(write);
    this.onApplied(write);
  }
}

/** HubSpot stores every value as a string; an empty string clears the property. */
function normalize(properties: Record<string, unknown>): Record<string, PropertyValue> {
  const out: Record<string, PropertyValue> = {};
  for (const [k, v] of Object.entries(properties)) {
    out[k] = v === null || v === undefined || v === '' ? null : String(v);
  }
  return out;
}
