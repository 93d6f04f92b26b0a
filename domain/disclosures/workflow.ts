/**
 * The disclosure workflow: compiled → submitted (bank) → under_verification (assigned) → verified or
 * rejected (verdict) → published (verified only). A rejected version is corrected as a new version;
 * a published one never changes and is restated as a new version. Anything else is refused, naming
 * the current state. When support arrives for loans of a quarter already compiled, the service compiles
 * the next version by itself (planAfterLateSupport); a version it supersedes before a verdict is 'superseded'.
 */
import { fail, ok, type Result } from '../result.js';

export type DisclosureStatus = 'compiled' | 'submitted' | 'under_verification' | 'verified' | 'rejected' | 'published' | 'superseded';
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

/** What support approved after a quarter was compiled does to the bank's latest version of that quarter. */
export type LateSupportPlan =
  { kind: 'first' } | { kind: 'correction'; supersede: boolean } | { kind: 'restatement'; publishFirst: boolean };

/**
 * The next version after late support: version 1 when the bank had none; a correction while unpublished;
 * a restatement once published. A version still compiled, submitted or under verification is superseded
 * (its figures would be verified without the late loans: the verification is withdrawn and the corrected
 * version goes through the workflow instead); a rejected one keeps its verdict; a verified one is
 * published first (its publication is due, by the verdict) and then restated.
 */
export function planAfterLateSupport(latest: DisclosureStatus | null): LateSupportPlan {
  switch (latest) {
    case null:
      return { kind: 'first' };
    case 'compiled':
    case 'submitted':
    case 'under_verification':
      return { kind: 'correction', supersede: true };
    case 'rejected':
    case 'superseded':
      return { kind: 'correction', supersede: false };
    case 'verified':
      return { kind: 'restatement', publishFirst: true };
    case 'published':
      return { kind: 'restatement', publishFirst: false };
  }
}
