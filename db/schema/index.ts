export * from './institutions.js';
export * from './loans.js';
export * from './refinancing.js';
export * from './outbox.js';
export * from './sessions.js';
export * from './journal.js';
export * from './disclosures.js';
export * from './policy.js';
