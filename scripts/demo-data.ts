/**
 * Demo data for `scripts/demo.sh`, loaded through the service's own HTTP API the way a bank and the
 * central bank would use it. Loaded once per data folder; the demo users have fixed keys and
 * passwords (printed) so that a second start can print them again. Never use them in production.
 */
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { addDays, quarterBounds, quarterOf, shanghaiDate } from '../domain/dates.js';
import { syntheticCreditCode } from '../domain/loans/credit-code.js';
import { timelinessOf } from '../domain/disclosures/timeliness.js';
import { lprFreshness } from '../domain/policy/index.js';
import { findInstitutionByCode, insertUser } from '../db/repositories/institutions.js';
import { updateTotpFactor, upsertPendingTotp } from '../db/repositories/keys.js';
import { users } from '../db/schema/index.js';
import type { RunningService } from '../process/service.js';
import { demoHistory, HISTORY_BANK } from './demo-history.js';
import { DEMO_TOTP_COMMAND, DEMO_TOTP_SECRET, demoTotpNow } from './demo-totp.js';

const DEMO_PASSWORD = 'demo-password-2026';
export const DEMO_KEYS = {
  bankA: 'cerf_demo_bank_a_0000000000000000000000000',
  bankB: 'cerf_demo_bank_b_0000000000000000000000000',
  verifier: 'cerf_demo_verifier_000000000000000000000000',
  checker: 'cerf_demo_operator_checker_0000000000000000',
};

type Json = Record<string, unknown>;

/** Every demo user's sign-in: institution code, user name, password (or none) and API key. */
export const DEMO_USERS = [
  { role: 'operator', institution: 'PBOC', user: 'operator (checker)', password: DEMO_PASSWORD, key: DEMO_KEYS.checker },
  { role: 'bank', institution: 'DEMO-A', user: 'DEMO-A back office', password: DEMO_PASSWORD, key: DEMO_KEYS.bankA },
  { role: 'bank', institution: 'DEMO-B', user: 'DEMO-B back office', password: DEMO_PASSWORD, key: DEMO_KEYS.bankB },
  { role: 'verifier', institution: 'DEMO-V', user: 'DEMO-V reviewer', password: DEMO_PASSWORD, key: DEMO_KEYS.verifier },
] as const;

/** The banner's sign-in table: the bootstrap operator (API key only) and every demo user, at the real URL. */
export function demoSignInLines(url: string, operatorKey: string | undefined, at = new Date()): string[] {
  const rows = [
    ['role', 'institution', 'user', 'password', 'API key'],
    ...(operatorKey ? [['operator', 'PBOC', 'bootstrap operator', '(API key only)', operatorKey]] : []),
    ...DEMO_USERS.map((u) => [u.role, u.institution, u.user, u.password, u.key]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return [
    '',
    `Demo sign-in at ${url}/signin (institution, user and password, or an API key); API calls: Authorization: Bearer <API key>`,
    ...rows.map((r) => '  ' + r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')),
    ...operatorSecondFactorLines(at),
  ];
}

/** Operators' pages ask for an authenticator code after the password or key: how to get one in the demo. */
function operatorSecondFactorLines(at: Date): string[] {
  const { code, secondsLeft } = demoTotpNow(at);
  return [
    `Operators then enter an authenticator code (TOTP). The demo operators share the authenticator secret ${DEMO_TOTP_SECRET}`,
    `  (add it to any authenticator app), or print the current code with: ${DEMO_TOTP_COMMAND}`,
    `  code now: ${code} (valid ${secondsLeft} s more; each code signs in once, then wait for the next)`,
  ];
}

/** Enrols every operator user of the central bank with the demo's authenticator secret (enabled at once). */
async function enrolDemoOperators(service: RunningService, operatorId: string): Promise<void> {
  const { db } = service.database;
  const operators = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.institutionId, operatorId), eq(users.role, 'operator')));
  const now = service.deps.now();
  for (const user of operators) {
    await upsertPendingTotp(db, user.id, DEMO_TOTP_SECRET, now);
    await updateTotpFactor(db, user.id, { enabledAt: now });
  }
}

/**
 * The demo's policy data is current on the day it runs: when the latest LPR fixing known is older than
 * today, one operator confirms today's LPR unchanged and the other operator confirms that (four eyes),
 * so `/readyz` and the pages do not warn that the data is stale. A real deployment adds each month's
 * fixing as the National Interbank Funding Center publishes it.
 */
async function keepDemoLprCurrent(service: RunningService, operatorKey: string): Promise<string> {
  const today = shanghaiDate(service.deps.now());
  const before = lprFreshness(today);
  if (before.ageDays === 0) return `  policy data      LPR known through ${before.latestFixingOn} (current)`;
  const proposed = await call(service, operatorKey, 'POST', '/api/v1/policy/changes', {
    kind: 'lpr_fixing',
    fixedOn: today,
    unchanged: true,
    reason: 'demo: the LPR is taken as unchanged through the day the demo runs',
  });
  await call(service, DEMO_KEYS.checker, 'POST', `/api/v1/policy/changes/${String(proposed.id)}/confirm`, {});
  return `  policy data      LPR confirmed unchanged through ${today} (was ${before.ageDays} days old; demo data)`;
}

async function call(service: RunningService, key: string, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'idempotency-key': `demo:${method}:${path}:${createHash('sha256')
        .update(JSON.stringify(body ?? null))
        .digest('hex')
        .slice(0, 16)}`,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`demo data: ${method} ${path} answered ${res.status}: ${text.slice(0, 400)}`);
  return text ? (JSON.parse(text) as Json) : {};
}

/** A small PDF standing for a project's evidence document (its SHA-256 is the hash the project declares). */
export const demoEvidencePdf = (bank: string, project: string, title: string) =>
  Buffer.from(
    `%PDF-1.4\n% ${bank} ${project} ${title}\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
    'utf8',
  );

const creditCode = (n: number) => syntheticCreditCode('91330100', n * 7919 + 13);

const PROJECTS = [
  { name: '乌兰察布200MW风电项目', province: '内蒙古自治区', subArea: 'CE.WIND', investment: 1_400_000_000, reduction: 410_000 },
  { name: '格尔木100MW光伏电站', province: '青海省', subArea: 'CE.SOLAR', investment: 520_000_000, reduction: 150_000 },
  { name: '嘉兴整县屋顶分布式光伏', province: '浙江省', subArea: 'CE.ROOFTOP_PV', investment: 180_000_000, reduction: 48_000 },
  { name: '湖州电化学储能电站', province: '浙江省', subArea: 'CE.STORAGE', investment: 260_000_000, reduction: 35_000 },
  { name: '沂水生物质热电联产', province: '山东省', subArea: 'CE.BIOMASS', investment: 330_000_000, reduction: 96_000 },
  { name: '唐山钢铁余热回收改造', province: '河北省', subArea: 'EE.INDUSTRIAL', investment: 410_000_000, reduction: 120_000 },
  { name: '鄂尔多斯二氧化碳捕集利用', province: '内蒙古自治区', subArea: 'CT.CCUS', investment: 900_000_000, reduction: 300_000 },
  { name: '苏州园区节能改造', province: '江苏省', subArea: 'ES.RETROFIT', investment: 150_000_000, reduction: 22_000 },
];

/** the project both demo banks lend to (one entry of the national register, its reduction shared) */
const SHARED_PROJECT = 0;

function demoLoans(bank: string, offset: number) {
  const loans: Json[] = [];
  const dates = [
    '2022-03-18',
    '2022-06-09',
    '2022-08-15',
    '2022-11-02',
    '2023-02-20',
    '2023-05-11',
    '2023-09-27',
    '2024-04-16',
    '2025-07-08',
    '2026-02-10',
    '2026-07-21',
    '2026-09-03',
    '2026-10-15',
  ];
  let n = 0;
  const evidenceOf = (bank: string, name: string, i: number) => {
    const title = i % 3 === 0 ? '可行性研究报告' : i % 3 === 1 ? '环境影响评价报告' : '第三方碳减排评估报告';
    return {
      title,
      sha256: createHash('sha256')
        .update(demoEvidencePdf(bank, name, title))
        .digest('hex'),
    };
  };
  PROJECTS.forEach((p, i) => {
    const share = [0.3, 0.25, 0.2];
    share.forEach((s, j) => {
      const disbursedOn = dates[(i + j + offset) % dates.length];
      if (p.subArea === 'ES.RETROFIT' && disbursedOn < '2026-01-15') return;
      // the first project is shared: both banks lend to the same borrower's wind farm (DEMO-A 75 %, DEMO-B one ten-year loan of 20 %)
      const sharedWithA = i === SHARED_PROJECT && bank !== 'DEMO-A';
      if (sharedWithA && j > 0) return;
      n += 1;
      const principalYuan = Math.round((p.investment * (sharedWithA ? 0.2 : s)) / 10_000) * 10_000;
      const lprLike =
        disbursedOn < '2023-01-01'
          ? ['4.15', '4.30', '3.95']
          : disbursedOn < '2025-01-01'
            ? ['3.60', '3.85', '3.45']
            : ['3.10', '3.25', '2.95'];
      loans.push({
        loanRef: `${bank}-${disbursedOn.slice(0, 4)}-${String(n).padStart(4, '0')}`,
        borrower: { name: `${p.name.slice(0, 4)}新能源有限公司`, creditCode: creditCode(i === SHARED_PROJECT ? 0 : offset * 100 + i) },
        project: {
          ref: `${bank}-PRJ-${i + 1}`,
          name: p.name,
          province: p.province,
          subArea: p.subArea,
          totalInvestment: `${p.investment}.00`,
          annualReductionTonnes: `${p.reduction}.00`,
          reductionBasis: i % 3 === 0 ? 'feasibility_study' : i % 3 === 1 ? 'environmental_impact_assessment' : 'third_party_assessment',
          evidence: evidenceOf(bank, p.name, i),
        },
        principal: `${principalYuan}.00`,
        annualRatePercent: i === 6 && j === 2 ? '6.50' : lprLike[j],
        disbursedOn,
        maturesOn: `${Number(disbursedOn.slice(0, 4)) + (j === 0 ? 10 : 3)}${disbursedOn.slice(4)}`,
      });
    });
  });
  return loans;
}

/**
 * A four-eyes act: proposed with `proposerKey` (202, pending) and confirmed with `confirmerKey`; an
 * act that needs no confirmation answers as it is.
 */
async function fourEyes(service: RunningService, proposerKey: string, confirmerKey: string, method: string, path: string, body?: unknown) {
  const proposed = await call(service, proposerKey, method, path, body);
  if (proposed.status !== 'pending' || typeof proposed.kind !== 'string') return proposed;
  return call(service, confirmerKey, 'POST', `/api/v1/approvals/${String(proposed.id)}/confirm`, {});
}

export async function loadDemoData(service: RunningService): Promise<{ lines: string[] }> {
  const operatorKey = service.deps.env.CERF_BOOTSTRAP_OPERATOR_KEY;
  const { db } = service.database;
  const lines = demoSignInLines(service.url, operatorKey, service.deps.now());
  if (await findInstitutionByCode(db, 'DEMO-A')) {
    const lpr = operatorKey ? [await keepDemoLprCurrent(service, operatorKey)] : [];
    return { lines: [...lines, '  (already loaded in this data folder)', ...lpr] };
  }
  if (!operatorKey) return { lines: ['  demo data needs CERF_BOOTSTRAP_OPERATOR_KEY (scripts/demo.sh sets one)'] };

  const banks = [
    { code: 'DEMO-A', nameZh: '示范商业银行', nameEn: 'Demo Commercial Bank', key: DEMO_KEYS.bankA },
    { code: 'DEMO-B', nameZh: '示范农村商业银行', nameEn: 'Demo Rural Commercial Bank', key: DEMO_KEYS.bankB },
  ];
  for (const bank of banks) {
    await call(service, operatorKey, 'POST', '/api/v1/institutions', {
      code: bank.code,
      nameZh: bank.nameZh,
      nameEn: bank.nameEn,
      kind: 'bank',
      eligibleFrom: '2021-11-08',
    });
    const institution = await findInstitutionByCode(db, bank.code);
    await insertUser(db, {
      institutionId: institution!.id,
      name: `${bank.code} back office`,
      role: 'bank',
      apiKey: bank.key,
      password: DEMO_PASSWORD,
      isAdmin: true,
    });
  }
  await call(service, operatorKey, 'POST', '/api/v1/institutions', {
    code: 'DEMO-V',
    nameZh: '示范碳核查机构',
    nameEn: 'Demo Verification Body',
    kind: 'verifier',
  });
  const verifier = await findInstitutionByCode(db, 'DEMO-V');
  await insertUser(db, {
    institutionId: verifier!.id,
    name: 'DEMO-V reviewer',
    role: 'verifier',
    apiKey: DEMO_KEYS.verifier,
    password: DEMO_PASSWORD,
    isAdmin: true,
  });
  const operator = await findInstitutionByCode(db, 'PBOC');
  await insertUser(db, {
    institutionId: operator!.id,
    name: 'operator (checker)',
    role: 'operator',
    apiKey: DEMO_KEYS.checker,
    password: DEMO_PASSWORD,
  });
  await enrolDemoOperators(service, operator!.id);
  lines.push(await keepDemoLprCurrent(service, operatorKey));

  const batchA = await call(service, DEMO_KEYS.bankA, 'POST', '/api/v1/loans/batch', { loans: demoLoans('DEMO-A', 2) });
  const batchB = await call(service, DEMO_KEYS.bankB, 'POST', '/api/v1/loans/batch', { loans: demoLoans('DEMO-B', 3) });
  // each bank uploads its projects' evidence files, but DEMO-B's last project's (the verifier sees "not uploaded yet")
  for (const [bank, key, loans] of [
    ['DEMO-A', DEMO_KEYS.bankA, demoLoans('DEMO-A', 2)],
    ['DEMO-B', DEMO_KEYS.bankB, demoLoans('DEMO-B', 3)],
  ] as const) {
    type DemoProject = { ref: string; name: string; evidence: { title: string; sha256: string } };
    const projects = [...new Map(loans.map((l) => [(l.project as DemoProject).ref, l.project as DemoProject])).values()];
    for (const project of bank === 'DEMO-B' ? projects.slice(0, -1) : projects) {
      const res = await fetch(`${service.url}/api/v1/evidence/${project.evidence.sha256}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/pdf' },
        body: demoEvidencePdf(bank, project.name, project.evidence.title),
      });
      if (!res.ok) throw new Error(`demo data: evidence of ${project.ref} answered ${res.status}: ${(await res.text()).slice(0, 400)}`);
    }
  }
  const summary = (b: Json) => b.summary as { created: number; error: number };
  lines.push(
    `  loans            DEMO-A ${summary(batchA).created} created, DEMO-B ${summary(batchB).created} created (one per bank flagged for its rate)`,
  );
  lines.push(...(await runDemoLifecycle(service, operatorKey)));
  // one act left for the checker to confirm on /operator/approvals: accepting DEMO-A's rate-flagged loan
  const flagged = (await call(service, DEMO_KEYS.bankA, 'GET', '/api/v1/loans?eligibility=flagged&limit=1')).items as { id: string }[];
  if (flagged[0])
    await call(service, operatorKey, 'POST', `/api/v1/loans/${flagged[0].id}/accept`, {
      reason: 'concessional rate of the provincial green-loan programme',
    });
  lines.push(
    `  four eyes        ${flagged[0] ? "accepting DEMO-A's flagged loan awaits the checker's confirmation (/operator/approvals)" : 'nothing pending'}`,
  );
  lines.push(...(await importDemoHistory(service, operatorKey)));
  return { lines };
}

/**
 * DEMO-H brings its 2021–2026 records onto the system: one historical import through the API, then its
 * already published statements, which the operator reconciles with the loan-level records.
 */
async function importDemoHistory(service: RunningService, operatorKey: string): Promise<string[]> {
  const history = demoHistory(shanghaiDate(service.deps.now()));
  await call(service, operatorKey, 'POST', '/api/v1/institutions', { ...HISTORY_BANK, kind: 'bank' });
  const imported = (await call(service, operatorKey, 'POST', '/api/v1/imports', {
    institution: HISTORY_BANK.code,
    loans: history.loans,
    records: history.records,
  })) as { counts: { loans: { created: number }; records: Record<string, { created: number }> } };
  for (const s of history.statements)
    await call(service, operatorKey, 'POST', `/api/v1/disclosures/${HISTORY_BANK.code}/${s.quarter}/published-statement`, s.body);
  const records = Object.values(imported.counts.records).reduce((n, c) => n + c.created, 0);
  return [
    `  history          ${HISTORY_BANK.code} imported ${history.quarters[0]}–${history.quarters[history.quarters.length - 1]}: ${imported.counts.loans.created} loans, ${records} records, ${history.statements.length} published statements (reconciled at /operator/reconciliation?bank=${HISTORY_BANK.code})`,
  ];
}

/** "on time" or "N days late" for a quarter published today. */
function timelinessWords(quarter: string, today: string): string {
  const t = timelinessOf(quarter, today, today);
  return !t ? 'no deadline' : t.status === 'late' ? `${t.daysLate} days late (due ${t.dueOn})` : `on time (due ${t.dueOn})`;
}

/** Polls `check` until it returns a value, for work the background jobs finish. */
async function eventually<T>(what: string, check: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`demo data: ${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The facility's cycle on the demo loans: this quarter's operation, both banks' applications
 * (approved by one operator, booked by the other), the last ended quarter's disclosures compiled,
 * DEMO-A's verified and published, DEMO-B's waiting in the verifier's queue, and one more DEMO-B
 * application waiting for the operator's decision.
 */
async function runDemoLifecycle(service: RunningService, operatorKey: string): Promise<string[]> {
  const today = shanghaiDate(service.deps.now());
  const quarter = quarterOf(today);
  const { start } = quarterBounds(quarter);
  const lastQuarter = quarterOf(addDays(start, -1));
  const lastQuarterEnd = quarterBounds(lastQuarter).end;
  await fourEyes(service, operatorKey, DEMO_KEYS.checker, 'POST', '/api/v1/operations', { quarter, volume: '5000000000.00' });

  const collateral = (bank: string, value: string) => [
    { type: 'central_government_bond', ref: `${bank}-CGB-2031`, faceValue: value, marketValue: value },
  ];
  const applyA = await call(service, DEMO_KEYS.bankA, 'POST', '/api/v1/applications', {
    operation: quarter,
    allDisbursedThrough: today,
    collateral: collateral('DEMO-A', '3000000000.00'),
  });
  const applyB = await call(service, DEMO_KEYS.bankB, 'POST', '/api/v1/applications', {
    operation: quarter,
    allDisbursedThrough: lastQuarterEnd,
    collateral: collateral('DEMO-B', '3000000000.00'),
  });
  for (const application of [applyA, applyB]) {
    await call(service, operatorKey, 'POST', `/api/v1/applications/${application.id}/approve`, {
      reason: 'Loans checked against the facility rules',
    });
    await call(service, DEMO_KEYS.checker, 'POST', `/api/v1/applications/${application.id}/disburse`);
  }
  const waiting = await call(service, DEMO_KEYS.bankB, 'POST', '/api/v1/applications', {
    operation: quarter,
    allDisbursedThrough: today,
    collateral: collateral('DEMO-B-2', '500000000.00'),
  }).catch(() => null);

  await call(service, operatorKey, 'POST', '/api/v1/disclosures/compile', { quarter: lastQuarter });
  const compiled = (code: string, key: string) =>
    eventually(`the ${lastQuarter} disclosure of ${code}`, async () => {
      const res = await fetch(`${service.url}/api/v1/disclosures/${code}/${lastQuarter}`, { headers: { authorization: `Bearer ${key}` } });
      return res.ok ? ((await res.json()) as Json) : null;
    });
  await compiled('DEMO-A', DEMO_KEYS.bankA);
  await compiled('DEMO-B', DEMO_KEYS.bankB);
  for (const code of ['DEMO-A', 'DEMO-B']) {
    await call(service, code === 'DEMO-A' ? DEMO_KEYS.bankA : DEMO_KEYS.bankB, 'POST', `/api/v1/disclosures/${code}/${lastQuarter}/submit`);
    await call(service, operatorKey, 'POST', `/api/v1/disclosures/${code}/${lastQuarter}/assign`, { verifier: 'DEMO-V' });
  }

  // the verifier checks DEMO-A's sample, every check passing, and verifies it; publication follows by itself
  const assignments = (await call(service, DEMO_KEYS.verifier, 'GET', '/api/v1/verification/assignments?open=true')) as {
    items: { id: string; disclosure: { institution: string } }[];
  };
  const assignment = assignments.items.find((a) => a.disclosure.institution === 'DEMO-A');
  if (assignment) {
    const detail = (await call(service, DEMO_KEYS.verifier, 'GET', `/api/v1/verification/assignments/${assignment.id}`)) as {
      sample: { loanId: string }[];
    };
    const checks = ['area', 'amount', 'rate', 'reduction', 'evidence'];
    const findings = detail.sample.flatMap((s) =>
      checks.map((check) => ({ loanId: s.loanId, check, outcome: 'pass', note: 'Matches the loan contract and the evidence file' })),
    );
    await call(service, DEMO_KEYS.verifier, 'POST', `/api/v1/disclosures/DEMO-A/${lastQuarter}/findings`, { findings });
    await call(service, DEMO_KEYS.verifier, 'POST', `/api/v1/disclosures/DEMO-A/${lastQuarter}/verdict`, {
      verdict: 'verified',
      summary: 'Sampled loans agree with contracts, rates and evidence; arithmetic reproduced.',
    });
    await eventually('publication of DEMO-A', async () => {
      const res = await fetch(`${service.url}/api/v1/disclosures/DEMO-A/${lastQuarter}`);
      return res.ok && ((await res.json()) as Json).status === 'published' ? true : null;
    });
  }
  // the verifier asks DEMO-B about its first sampled loan; the question awaits the bank's answer
  const pending = assignments.items.find((a) => a.disclosure.institution === 'DEMO-B');
  if (pending) {
    const detail = (await call(service, DEMO_KEYS.verifier, 'GET', `/api/v1/verification/assignments/${pending.id}`)) as {
      sample: { loanId: string }[];
    };
    if (detail.sample[0])
      await call(service, DEMO_KEYS.verifier, 'POST', `/api/v1/disclosures/DEMO-B/${lastQuarter}/queries`, {
        loanId: detail.sample[0].loanId,
        text: '请提供该项目环评批复文件的文号。',
      });
  }
  return [
    `  refinancing      ${quarter} operation open; DEMO-A and DEMO-B supported (approved by the operator, booked by the checker)${waiting ? '; one DEMO-B application awaits a decision' : ''}`,
    `  disclosures      ${lastQuarter}: DEMO-A published, DEMO-B waiting for DEMO-V's verification (one query awaits DEMO-B's answer)`,
    `  shared project   ${PROJECTS[SHARED_PROJECT].name}: DEMO-A and DEMO-B lend to it (/operator/shared-projects)`,
    `  timeliness       DEMO-H published every quarter on time; DEMO-A published ${lastQuarter} on ${today}, ${timelinessWords(lastQuarter, today)}`,
  ];
}
