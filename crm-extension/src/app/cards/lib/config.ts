/**
 * Where the Guardline backend runs. Set it to your deployment's public HTTPS URL; it must also be
 * listed in `permittedUrls.fetch` in `src/app/app-hsmeta.json` (HubSpot refuses any other URL).
 */
export const GUARDLINE_BASE_URL = 'https://guardline.example.com';

/** Stay under hubspot.fetch's 15 s ceiling so the card, not HubSpot, reports a slow backend. */
export const REQUEST_TIMEOUT_MS = 10_000;
