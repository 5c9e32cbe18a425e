import { AssociationTypes } from '@hubspot/api-client';
import type { CrmObject } from '../model/index.ts';

/** HubSpot's CRM v3 object type for each object a `crm_write` may name. */
export const HUBSPOT_OBJECT_TYPE: Record<CrmObject, string> = {
  contact: 'contacts',
  deal: 'deals',
  note: 'notes',
  task: 'tasks',
  call: 'calls',
};

export type EngagementObject = Extract<CrmObject, 'note' | 'task' | 'call'>;
export type RecordObject = Extract<CrmObject, 'contact' | 'deal'>;

export function isEngagement(object: CrmObject): object is EngagementObject {
  return object === 'note' || object === 'task' || object === 'call';
}

/**
 * HubSpot-defined (default) association type ids from an engagement to a contact or deal, used in
 * the create-with-associations body so an engagement and its links are made in one request.
 */
export const ASSOCIATION_TYPE_ID: Record<EngagementObject, Record<RecordObject, number>> = {
  note: { contact: AssociationTypes.noteToContact, deal: AssociationTypes.noteToDeal },
  call: { contact: AssociationTypes.callToContact, deal: AssociationTypes.callToDeal },
  task: { contact: AssociationTypes.taskToContact, deal: AssociationTypes.taskToDeal },
};

export interface AssociationTarget {
  object: RecordObject;
  id: string;
}

export interface AssociationInput {
  to: { id: string };
  types: { associationCategory: 'HUBSPOT_DEFINED'; associationTypeId: number }[];
}

export function associationInputs(from: EngagementObject, targets: readonly AssociationTarget[]): AssociationInput[] {
  return targets.map((t) => ({
    to: { id: t.id },
    types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: ASSOCIATION_TYPE_ID[from][t.object] }],
  }));
}
