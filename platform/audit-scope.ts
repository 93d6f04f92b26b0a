/**
 * Who acts in the current request, for the audit trail: the HTTP edge runs each request in a scope
 * whose `who()` names the user, institution, key or session and request id as they are known when a
 * transaction starts; db/client.ts hands them to PostgreSQL (`set_config`) at the start of every
 * transaction, where the audit triggers read them. Outside a request (jobs) nothing is set: the
 * service itself acts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type AuditWho = { userId: string | null; institutionId: string | null; via: string | null; requestId: string | null };

const scope = new AsyncLocalStorage<() => AuditWho>();

export const runAudited = <T>(who: () => AuditWho, fn: () => T): T => scope.run(who, fn);

export const currentAuditWho = (): AuditWho | null => scope.getStore()?.() ?? null;
