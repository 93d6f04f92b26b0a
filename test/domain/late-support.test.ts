/** What support approved after a quarter was compiled does to the bank's latest version of that quarter. */
import { describe, expect, it } from 'vitest';
import { planAfterLateSupport, type DisclosureStatus } from '../../domain/disclosures/workflow.js';

describe('the next version after late support', () => {
  it.each<[DisclosureStatus | null, ReturnType<typeof planAfterLateSupport>]>([
    [null, { kind: 'first' }],
    ['compiled', { kind: 'correction', supersede: true }],
    ['submitted', { kind: 'correction', supersede: true }],
    ['under_verification', { kind: 'correction', supersede: true }],
    ['rejected', { kind: 'correction', supersede: false }],
    ['superseded', { kind: 'correction', supersede: false }],
    ['verified', { kind: 'restatement', publishFirst: true }],
    ['published', { kind: 'restatement', publishFirst: false }],
  ])('when the latest version is %s, then the plan is %o', (status, plan) => {
    expect(planAfterLateSupport(status)).toEqual(plan);
  });
});
