export { bearerToken } from './bearer.ts';
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
