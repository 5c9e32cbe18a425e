export * from './contract.ts';
export {
  type HubSpotIdentity,
  type HubSpotRequest,
  hubSpotIdentityFromUrl,
  signedRequestUri,
  verifyHubSpotRequest,
} from './identity.ts';
export { PORTALS_ENV, parseHubSpotPortals, tenantForPortal } from './portals.ts';
export {
  canApprove,
  canTunePolicy,
  HubSpotRoleMapping,
  parseHubSpotRoleMapping,
  ROLE_MAPPING_ENV,
  requireRole,
  roleForHubSpotUser,
} from './roles.ts';
export {
  computeHubSpotSignatureV3,
  HUBSPOT_SIGNATURE_HEADER,
  HUBSPOT_SIGNATURE_MAX_AGE_MS,
  HUBSPOT_TIMESTAMP_HEADER,
  HUBSPOT_URI_DECODINGS,
  type HubSpotSignatureSource,
  normalizeHubSpotUri,
  type SignatureRejection,
  type SignatureVerdict,
  type VerifySignatureInput,
  verifyHubSpotSignatureV3,
} from './signature.ts';
