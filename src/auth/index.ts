export { bearerToken } from './bearer.ts';
export { requireEveryTenant, type TenantViewer, tenantVisible } from './tenant-scope.ts';
export {
  AgentClaims,
  AUDIENCE,
  createVerifier,
  type Identity,
  mintToken,
  parseTtl,
  type TokenVerifier,
  UserClaims,
  UserRole,
} from './tokens.ts';
