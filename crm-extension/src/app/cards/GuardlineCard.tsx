import { hubspot } from '@hubspot/ui-extensions';
import { GuardlineRecordTab } from './components/GuardlineRecordTab.tsx';
import { GUARDLINE_BASE_URL } from './lib/config.ts';
import { createGuardlineApi } from './lib/guardline-api.ts';

/** Every request goes through hubspot.fetch, which HubSpot signs (X-HubSpot-Signature-v3). */
const api = createGuardlineApi((url, options) => hubspot.fetch(url, options), GUARDLINE_BASE_URL);

hubspot.extend<'crm.record.tab'>(({ context }) => (
  <GuardlineRecordTab
    api={api}
    objectTypeId={context.crm.objectTypeId}
    objectId={context.crm.objectId}
    timeZone={context.portal.timezone || 'UTC'}
  />
));
