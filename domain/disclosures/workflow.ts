/**
 * The disclosure workflow: compiled → submitted (bank) → under_verification (assigned) → verified or
 * rejected (verdict) → published (verified only). A rejected version is corrected as a new version;
 * a published one never changes and is restated as a new version. Anything else is refused, naming
 * the current state.
 */
import { fail, ok, type Result } from '../result.js';

export type DisclosureStatus = 'compiled' | 'submitted' | 'under_verification' | 'verified' | 'rejected' | 'published';
export type WorkflowVerb = 'submit' | 'assign' | 'verify' | 'reject' | 'publish' | 'correct' | 'restate';

const TRANSITIONS: Record<WorkflowVerb, { from: DisclosureStatus; to: DisclosureStatus | null }> = {
  submit: { from: 'compiled', to: 'submitted' },
  assign: { from: 'submitted', to: 'under_verification' },
  verify: { from: 'under_verification', to: 'verified' },
  reject: { from: 'under_verification', to: 'rejected' },
  publish: { from: 'verified', to: 'published' },
  // a new version follows; the judged one keeps its state
  correct: { from: 'rejected', to: null },
  restate: { from: 'published', to: null },
};

export type IllegalTransition = { ok: false; status: 'illegal_transition'; message: string; current: DisclosureStatus };

export function transition(current: DisclosureStatus, verb: WorkflowVerb): Result<DisclosureStatus> | IllegalTransition {
  const rule = TRANSITIONS[verb];
  if (current !== rule.from) {
    return {
      ok: false,
      status: 'illegal_transition',
      current,
      message: `cannot ${verb} a disclosure that is ${current}; ${verb} needs ${rule.from}`,
    };
  }
  return ok(rule.to ?? current);
}

/** A new version may be compiled after a rejection (correction) or a publication (restatement). */
export function nextVersionKind(current: DisclosureStatus): Result<'correction' | 'restatement'> | IllegalTransition {
  if (current === 'rejected') return ok('correction');
  if (current === 'published') return ok('restatement');
  return {
    ...fail('illegal_transition'),
    status: 'illegal_transition',
    current,
    message: `a new version can follow only a rejected or published one; the latest is ${current}`,
  };
}
