/** The shared-project rule as tables: which names fold together, which loans make a shared project, what counts once. */
import { describe, expect, it } from 'vitest';
import { countedOnce, findSharedProjects, foldName, type SharedProjectLoan } from '../../domain/disclosures/shared-projects.js';

const loan = (over: Partial<SharedProjectLoan>): SharedProjectLoan => ({
  institutionCode: 'A',
  creditCode: '91110108MA00000010',
  projectName: '某某风电场',
  province: '内蒙古自治区',
  projectId: 'p-a',
  principalFen: 100n,
  attributedCentitonnes: 80_000n,
  projectReductionCentitonnes: 100_000n,
  ...over,
});

describe('folded names', () => {
  it.each([
    [' 某某 风电场（一期）　', '某某风电场(一期)'],
    ['ＡＢＣ光伏１号', 'abc光伏1号'],
    ['Solar Farm\tPhase\u00a0II', 'solarfarmphaseii'],
    ['内蒙古自治区', '内蒙古自治区'],
  ])('%j folds to %j', (name, folded) => expect(foldName(name)).toBe(folded));
});

describe('shared projects', () => {
  it('when two banks lend to one project, then it is shared: one project, its reduction at most the project’s own', () => {
    const [p] = findSharedProjects([
      loan({}),
      loan({ institutionCode: 'B', projectId: 'p-b', projectName: '某某 风电场 ', attributedCentitonnes: 60_000n }),
    ]);
    expect(p).toMatchObject({
      projects: 2,
      attributedCentitonnes: 140_000n,
      countedOnceCentitonnes: 100_000n,
      notCountedCentitonnes: 40_000n,
    });
    expect(p.banks.map((b) => b.institutionCode)).toEqual(['A', 'B']);
  });

  it('when the banks’ shares stay within the project, then nothing is taken off the reduction, but the project still counts once', () => {
    const shared = findSharedProjects([
      loan({ attributedCentitonnes: 30_000n }),
      loan({ institutionCode: 'B', projectId: 'p-b', attributedCentitonnes: 50_000n }),
    ]);
    expect(countedOnce(shared)).toEqual({ sharedProjects: 1, projectsNotCounted: 1, reductionNotCountedCentitonnes: 0n });
  });

  it.each([
    ['another province', { province: '河北省' }],
    ['another borrower', { creditCode: '91110108MA0000002Y' }],
    ['another project name', { projectName: '某某光伏电站' }],
    ['the same bank', { institutionCode: 'A' }],
  ])('when the second loan has %s, then nothing is shared', (_, over) => {
    expect(findSharedProjects([loan({}), loan({ institutionCode: 'B', projectId: 'p-b', ...over })])).toEqual([]);
  });
});
