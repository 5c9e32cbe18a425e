export { type Bundle, type BundleReport, exportBundle, verifyBundle } from './bundle.ts';
export { type CheckpointFile, checkpointOf, readCheckpoint } from './checkpoint.ts';
export { bodyHashOf, chainEntry, GENESIS_HASH, linkHashOf } from './hash.ts';
export * from './keys.ts';
export { type BreakKind, type ChainBreak, type VerifyReport, verifyChain } from './verify.ts';
