/** What the import stories share: who may import a bank's history. */
import type { InstitutionRow } from '../../db/repositories/institutions.js';
import type { Actor } from '../../domain/actor.js';
import { refuse } from '../refusals.js';

/** Whether the bank's institution is in migration mode (set by an operator while it moves onto the system). */
export const inMigrationMode = (bank: InstitutionRow): boolean => bank.migrationModeSince !== null;

/**
 * An operator imports any bank's history; a bank only its own, and only while its institution is in
 * migration mode. Another bank's history does not exist for a bank (not found).
 */
export function refuseUnlessMayImport(actor: Actor, bank: InstitutionRow): void {
  if (actor.role === 'operator') return;
  if (actor.role !== 'bank' || actor.institutionId !== bank.id) refuse('not_found', `bank ${bank.code} not found`);
  if (!inMigrationMode(bank))
    refuse('forbidden', `${bank.code} imports its own history only while its institution is in migration mode (set by an operator)`);
}
