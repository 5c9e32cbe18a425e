/**
 * The card ⇄ backend wire contract. The schemas live in the HubSpot project (HubSpot builds the card
 * from `crm-extension/` alone); the backend parses with the very same file through this module.
 */
export * from '../../crm-extension/src/app/cards/shared/contract.ts';
