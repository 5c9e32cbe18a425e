import type { FakePortalState, FakeRecord } from './state.ts';
import { REQUIRED_ON_CREATE } from './state.ts';

/** What a route answers: HubSpot's status and JSON body (undefined for 204). */
export interface RouteResult {
  status: number;
  body?: unknown;
}

export function hubspotError(status: number, category: string, message: string, correlationId: string): RouteResult {
  return { status, body: { status: 'error', message, correlationId, category } };
}

/** Association type id → the object type it points at (the default engagement → record types). */
const ASSOCIATION_TARGET: Record<number, string> = {
  202: 'contacts',
  214: 'deals',
  194: 'contacts',
  206: 'deals',
  204: 'contacts',
  216: 'deals',
  279: 'companies',
};

function view(record: FakeRecord, properties?: readonly string[]): Record<string, unknown> {
  const props: Record<string, unknown> = {
    hs_object_id: record.id,
    hs_createdate: record.properties.hs_createdate,
    hs_lastmodifieddate: record.properties.hs_lastmodifieddate,
  };
  for (const name of properties ?? Object.keys(record.properties)) props[name] = record.properties[name] ?? null;
  return {
    id: record.id,
    properties: props,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: false,
  };
}

function validation(state: FakePortalState, type: string, properties: Record<string, unknown>, cid: string) {
  const invalid = state.invalidProperties(type, properties);
  if (invalid.length === 0) return null;
  const errors = invalid.map((name) => ({
    isValid: false,
    message: `Property "${name}" does not exist`,
    error: 'PROPERTY_DOESNT_EXIST',
    name,
    localizedErrorMessage: `Property "${name}" does not exist`,
  }));
  return hubspotError(400, 'VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify(errors)}`, cid);
}

function propertiesOf(body: unknown): Record<string, unknown> | null {
  if (typeof body !== 'object' || body === null) return null;
  const props = (body as { properties?: unknown }).properties;
  return typeof props === 'object' && props !== null && !Array.isArray(props)
    ? (props as Record<string, unknown>)
    : null;
}

export function createObject(state: FakePortalState, type: string, body: unknown, cid: string): RouteResult {
  const properties = propertiesOf(body);
  if (!properties) return hubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: properties is required', cid);
  const invalid = validation(state, type, properties, cid);
  if (invalid) return invalid;
  const missing = (REQUIRED_ON_CREATE[type] ?? []).filter((p) => properties[p] === undefined || properties[p] === '');
  if (missing.length > 0) {
    return hubspotError(400, 'VALIDATION_ERROR', `Missing required properties: ${missing.join(', ')}`, cid);
  }
  const associations: FakeRecord['associations'] = [];
  const raw = (body as { associations?: unknown }).associations;
  for (const a of Array.isArray(raw) ? raw : []) {
    const toId = String((a as { to?: { id?: unknown } }).to?.id ?? '');
    for (const t of ((a as { types?: unknown }).types ?? []) as { associationTypeId?: number }[]) {
      const toType = ASSOCIATION_TARGET[t.associationTypeId ?? -1];
      if (!toType || !state.get(toType, toId)) {
        return hubspotError(400, 'VALIDATION_ERROR', `Association ${t.associationTypeId} to ${toId} is invalid`, cid);
      }
      associations.push({ toType, toId, typeId: t.associationTypeId as number });
    }
  }
  return { status: 201, body: view(state.create(type, properties, associations)) };
}

export function readObject(state: FakePortalState, type: string, id: string, props: string[], cid: string) {
  const record = state.get(type, id);
  if (!record) return hubspotError(404, 'OBJECT_NOT_FOUND', 'resource not found', cid);
  return { status: 200, body: view(record, props.length > 0 ? props : undefined) };
}

export function updateObject(state: FakePortalState, type: string, id: string, body: unknown, cid: string) {
  const record = state.get(type, id);
  if (!record) return hubspotError(404, 'OBJECT_NOT_FOUND', 'resource not found', cid);
  const properties = propertiesOf(body);
  if (!properties) return hubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: properties is required', cid);
  const invalid = validation(state, type, properties, cid);
  if (invalid) return invalid;
  return { status: 200, body: view(state.update(record, properties)) };
}

export function archiveObject(state: FakePortalState, type: string, id: string, cid: string): RouteResult {
  const record = state.get(type, id);
  if (!record) return hubspotError(404, 'OBJECT_NOT_FOUND', 'resource not found', cid);
  state.archive(record);
  return { status: 204 };
}

interface Filter {
  propertyName?: string;
  operator?: string;
  value?: unknown;
}

function matches(record: FakeRecord, filter: Filter): boolean {
  const actual = record.properties[filter.propertyName ?? ''] ?? null;
  const wanted = filter.value === undefined ? null : String(filter.value);
  switch (filter.operator) {
    case 'EQ':
      return actual === wanted;
    case 'NEQ':
      return actual !== wanted;
    case 'HAS_PROPERTY':
      return actual !== null;
    case 'NOT_HAS_PROPERTY':
      return actual === null;
    case 'CONTAINS_TOKEN':
      return actual !== null && wanted !== null && actual.toLowerCase().includes(wanted.toLowerCase());
    default:
      return false;
  }
}

export function searchObjects(state: FakePortalState, type: string, body: unknown, cid: string): RouteResult {
  const request = (body ?? {}) as { filterGroups?: { filters?: Filter[] }[]; properties?: string[]; limit?: number };
  const groups = request.filterGroups ?? [];
  for (const f of groups.flatMap((g) => g.filters ?? [])) {
    if (!['EQ', 'NEQ', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN'].includes(f.operator ?? '')) {
      return hubspotError(400, 'VALIDATION_ERROR', `Unsupported operator ${f.operator}`, cid);
    }
  }
  const found = state
    .list(type)
    .filter((r) => groups.length === 0 || groups.some((g) => (g.filters ?? []).every((f) => matches(r, f))));
  const limit = Math.min(request.limit ?? 10, 200);
  return {
    status: 200,
    body: { total: found.length, results: found.slice(0, limit).map((r) => view(r, request.properties ?? [])) },
  };
}

export function associateDefault(state: FakePortalState, from: string, fromId: string, to: string, toId: string) {
  const record = state.get(from, fromId);
  if (!record || !state.get(to, toId)) return hubspotError(404, 'OBJECT_NOT_FOUND', 'resource not found', 'assoc');
  state.associate(record, to, toId, 0);
  return {
    status: 200,
    body: {
      status: 'COMPLETE',
      results: [
        { from: { id: fromId }, to: { id: toId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED' } },
      ],
      startedAt: new Date().toISOString(),
      completedAt: new Date().toISOString(),
    },
  };
}
