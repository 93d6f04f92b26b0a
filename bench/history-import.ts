/**
 * Historical import: 21 banks bring 20 quarters (2021Q3–2026Q2) of history — 500,000 loans with their
 * applications, approvals, tranches, rollovers and repayments — through POST /api/v1/imports (one
 * document per bank and year, each booked whole in one transaction, four requests in flight, as a migration
 * tool would send them: one books while the others are parsed and checked), against
 * COPY of the same rows (projects, loans, operations, applications, their loans, collateral, tranches)
 * into the same tables on the same server. Targets: the import reaches at least 0.3 of the raw rate,
 * the service's peak RSS stays under 512 MB. Afterwards every quarter of every bank is compiled by the
 * service and checked against a raw SQL aggregate. BENCH_LOANS overrides the loan count.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../db/client.js';
import { addDays, addYears, quarterBounds, quarterOf, type IsoDate } from '../domain/dates.js';
import { loanContentSha256, loanFactsFromText, type LoanText } from '../domain/loans/facts.js';
import { syntheticCreditCode } from '../domain/loans/credit-code.js';
import { formatFenAsWanYuan, formatYuan, parseYuan } from '../domain/money.js';
import { waitFor } from '../process/embedded/process-tools.js';
import {
  BENCH_OPERATOR_KEY,
  fmt,
  freshDatabase,
  sampleRss,
  serviceDatabase,
  startServiceProcess,
  timed,
  type Benchmark,
  copyLines,
  resetStatementStats,
  logStatementStats,
} from './support.js';

const LOANS = Number(process.env.BENCH_LOANS ?? 500_000);
const BANKS = 21;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const FIRST = '2021Q3';
const LAST = '2026Q2';
const END_ON = quarterBounds(LAST).end;
const SUB_AREAS = ['CE.WIND', 'CE.SOLAR', 'CE.STORAGE', 'EE.INDUSTRIAL', 'CT.CCUS'];
/** loan rates of each year, inside the policy's band around the 1-year LPR then in force */
const RATES: Record<number, number> = { 2021: 39_000, 2022: 37_000, 2023: 35_000, 2024: 32_000, 2025: 29_500, 2026: 29_000 };

const quarterAfter = (q: string) => quarterOf(addDays(quarterBounds(q).end, 1));
export const QUARTERS: string[] = [];
for (let q = FIRST; q <= LAST; q = quarterAfter(q)) QUARTERS.push(q);
export const OPERATION_QUARTERS = QUARTERS.filter((q) => q >= '2021Q4');
export const opensOn = (q: string) => (q === '2021Q4' ? '2021-11-08' : quarterBounds(q).start);
/** the 2023Q1 applications are dated after the 2023 notice was announced (2023-01-29) */
const appliedOn = (q: string) => (q === '2023Q1' ? '2023-02-06' : addDays(opensOn(q), 7));
export const bankCode = (b: number) => `HB${String(b + 1).padStart(2, '0')}`;

type Rec = Record<string, unknown> & { kind: string; on: IsoDate; ref?: string };
type Tranche = { ref: string; applicationRef: string; start: IsoDate; rollovers: number; principalFen: bigint; status: string };
type Application = { ref: string; quarter: string; on: IsoDate; loans: LoanText[]; requestedFen: bigint; collateralFen: bigint };

/** One bank's history: its loans (evenly over the 20 quarters), an application a quarter, its tranches. */
export function bankHistory(b: number, loanCount: number) {
  const code = bankCode(b);
  const loans: LoanText[] = [];
  for (let i = 0; i < loanCount; i++) {
    const qi = Math.floor((i * QUARTERS.length) / loanCount);
    const q = QUARTERS[qi];
    // the last quarter's loans fall before its application (the 8th), so all of them are supported
    const disbursedOn = addDays(quarterBounds(q).start, qi === QUARTERS.length - 1 ? i % 6 : i % 88);
    const project = Math.floor(i / 2);
    loans.push({
      loanRef: `${code}-L${i}`,
      borrower: { name: `某某新能源有限公司${project}`, creditCode: syntheticCreditCode('91110108', b * 1_000_000 + project + 1) },
      project: {
        ref: `${code}-P${project}`,
        name: `某某${project}MW风电项目`,
        province: '内蒙古自治区',
        subArea: SUB_AREAS[project % SUB_AREAS.length],
        totalInvestment: '1000000000.00',
        annualReductionTonnes: `${100_000 + (project % 997) * 13}.00`,
        reductionBasis: 'feasibility_study',
        evidence: {
          title: '可行性研究报告',
          sha256: (project.toString(16) + code)
            .padEnd(64, 'a')
            .slice(0, 64)
            .toLowerCase()
            .replace(/[^0-9a-f]/g, 'b'),
        },
      },
      principal: `${3_000_000 + ((i * 7) % 13) * 500_000}.00`,
      annualRatePercent: formatRate(RATES[Number(disbursedOn.slice(0, 4))] + (i % 3) * 500),
      disbursedOn,
      maturesOn: addYears(disbursedOn, 3),
    });
  }
  const records: Rec[] = OPERATION_QUARTERS.map((q) => ({ kind: 'operation', quarter: q, volume: '300000000000.00', on: opensOn(q) }));
  const applications: Application[] = [];
  const tranches: Tranche[] = [];
  let next = 0;
  for (const q of OPERATION_QUARTERS) {
    const on = appliedOn(q);
    const listed: LoanText[] = [];
    while (next < loans.length && loans[next].disbursedOn < on) listed.push(loans[next++]);
    if (!listed.length) continue;
    const ref = `${code}-A-${q}`;
    const requestedFen = (listed.reduce((s, l) => s + parseYuan(l.principal)!, 0n) * 6n + 5n) / 10n;
    const collateralFen = ((requestedFen * 11n) / 10n / 100n + 1n) * 100n;
    applications.push({ ref, quarter: q, on, loans: listed, requestedFen, collateralFen });
    records.push(
      {
        kind: 'application',
        ref,
        on,
        operation: q,
        loanRefs: listed.map((l) => l.loanRef),
        collateral: [
          {
            type: 'central_government_bond',
            ref: `${ref}-CGB`,
            faceValue: formatYuan(collateralFen),
            marketValue: formatYuan(collateralFen),
          },
        ],
      },
      { kind: 'approval', ref: `${ref}-OK`, on: addDays(on, 4), application: ref, reason: 'meets the facility rules' },
      { kind: 'disbursement', ref: `${ref}-T1`, on: addDays(on, 6), application: ref },
    );
    let tranche: Tranche = {
      ref: `${ref}-T1`,
      applicationRef: ref,
      start: addDays(on, 6),
      rollovers: 0,
      principalFen: requestedFen,
      status: 'active',
    };
    tranches.push(tranche);
    // rolled over at maturity twice, then repaid: whatever falls inside the history
    for (;;) {
      const maturesOn = addYears(tranche.start, 1);
      if (maturesOn > END_ON) break;
      if (tranche.rollovers < 2) {
        tranche.status = 'rolled_over';
        const rolled: Tranche = {
          ...tranche,
          ref: `${ref}-T${tranche.rollovers + 2}`,
          start: maturesOn,
          rollovers: tranche.rollovers + 1,
          status: 'active',
        };
        records.push({ kind: 'rollover', ref: rolled.ref, on: maturesOn, tranche: tranche.ref });
        tranches.push(rolled);
        tranche = rolled;
      } else {
        records.push({
          kind: 'repayment',
          ref: `${tranche.ref}-R`,
          on: maturesOn,
          tranche: tranche.ref,
          principal: formatYuan(tranche.principalFen),
        });
        tranche.status = 'repaid';
        break;
      }
    }
  }
  // one document a year: the loans disbursed that year and the records dated that year
  const years = [...new Set(QUARTERS.map((q) => Number(q.slice(0, 4))))];
  const documents = years.map((year) => ({
    year,
    body: {
      institution: code,
      loans: loans.filter((l) => Number(l.disbursedOn.slice(0, 4)) === year),
      records: records.filter((r) => Number(r.on.slice(0, 4)) === year),
    },
  }));
  return { code, loans, applications, tranches, documents, recordCount: records.length };
}

function formatRate(ppm: number) {
  return `${Math.floor(ppm / 10_000)}.${String(ppm % 10_000)
    .padStart(4, '0')
    .slice(0, 2)}`;
}

const loansPerBank = (b: number) => Math.floor(LOANS / BANKS) + (b < LOANS % BANKS ? 1 : 0);
function* defaultHistories() {
  for (let b = 0; b < BANKS; b++) yield bankHistory(b, loansPerBank(b));
}

// ---------------------------------------------------------------- through the API

async function importThroughApi(url: string) {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_OPERATOR_KEY}` };
  for (let b = 0; b < BANKS; b++) {
    const res = await fetch(`${url}/api/v1/institutions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        code: bankCode(b),
        nameZh: `历史基准银行${b + 1}`,
        nameEn: `History Bench Bank ${b + 1}`,
        kind: 'bank',
        eligibleFrom: '2021-07-01',
      }),
    });
    if (res.status !== 201) throw new Error(`institution: ${res.status} ${await res.text()}`);
  }
  const banks = Array.from({ length: BANKS }, (_, b) => b);
  let loans = 0;
  let records = 0;
  let documents = 0;
  let bytes = 0;
  // each bank's documents go in year order; CONCURRENCY banks are sent side by side
  const sender = async () => {
    for (let b = banks.shift(); b !== undefined; b = banks.shift()) {
      const history = bankHistory(b, loansPerBank(b));
      for (const doc of history.documents) {
        const body = JSON.stringify(doc.body);
        bytes += body.length;
        const res = await fetch(`${url}/api/v1/imports`, { method: 'POST', headers, body });
        const answer = (await res.json()) as { counts?: { loans: { created: number }; records: Record<string, { created: number }> } };
        if (res.status !== 201)
          throw new Error(`import ${history.code} ${doc.year}: ${res.status} ${JSON.stringify(answer).slice(0, 800)}`);
        loans += answer.counts!.loans.created;
        records += Object.values(answer.counts!.records).reduce((n, c) => n + c.created, 0);
        documents += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  if (loans !== LOANS) throw new Error(`only ${loans} of ${LOANS} loans were imported`);
  return { records, documents, megabytes: bytes / 1e6 };
}

// ---------------------------------------------------------------- the raw baseline

const tsv = (v: unknown) => (v === null ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n'));
const line = (cells: unknown[]) => cells.map(tsv).join('\t');

export type BankHistory = ReturnType<typeof bankHistory>;

/**
 * The same rows as the import writes (projects, loans, operations, applications and their loans, collateral, tranches), by COPY:
 * of `histories` (default: the benchmark's banks), each bank from its own `eligibleFrom`.
 */
export async function copyBaseline(
  databaseUrl: string,
  histories: () => Iterable<BankHistory & { eligibleFrom?: string }> = defaultHistories,
) {
  const database = await openDatabase({ databaseUrl, dataDir: os.tmpdir(), poolMax: 1 });
  await database.close();
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => {});
  await client.connect();
  const operatorId = randomUUID();
  const userId = randomUUID();
  await client.query(`insert into institutions (id, code, name_zh, name_en, kind) values ($1, 'RAWOP', '基准', 'Raw', 'operator')`, [
    operatorId,
  ]);
  await client.query(`insert into users (id, institution_id, name, role, api_key_sha256) values ($1, $2, 'raw', 'operator', $3)`, [
    userId,
    operatorId,
    randomUUID(),
  ]);
  const tables: Record<string, { columns: string; lines: string[] }> = {
    institutions: { columns: 'id, code, name_zh, name_en, kind, eligible_from', lines: [] },
    projects: {
      columns:
        'id, institution_id, ref, name, province, sub_area, total_investment_fen, annual_reduction_centitonnes, reduction_basis, evidence_title, evidence_sha256, funded_fen',
      lines: [],
    },
    loans: {
      columns:
        'id, institution_id, loan_ref, project_id, borrower_name, borrower_credit_code, principal_fen, outstanding_fen, rate_ppm, disbursed_on, matures_on, taxonomy_version, policy_version, lpr_tenor, lpr_month, lpr_ppm, within_lpr_band, eligibility, flags, content_sha256, changed_by',
      lines: [],
    },
    operations: { columns: 'id, quarter, opens_on, closes_on, volume_fen, created_by', lines: [] },
    applications: {
      columns:
        'id, institution_id, operation_id, applied_on, status, policy_version, requested_fen, approved_fen, decided_by, disbursed_by',
      lines: [],
    },
    application_loans: {
      columns:
        'application_id, loan_id, principal_fen, requested_support_fen, active, loan_principal_fen, loan_matures_on, loan_eligibility, loan_disbursed_on',
      lines: [],
    },
    collateral: {
      columns: 'id, institution_id, application_id, instrument_type, instrument_ref, face_fen, market_fen, valued_on',
      lines: [],
    },
    facilities: {
      columns:
        'id, institution_id, application_id, rolled_from_id, principal_fen, outstanding_fen, rate_ppm, day_count, start_on, matures_on, rollover_count, status, policy_version, interest_from_on, accrued_through',
      lines: [],
    },
  };
  const operationIds = new Map(OPERATION_QUARTERS.map((q) => [q, randomUUID()]));
  for (const q of OPERATION_QUARTERS)
    tables.operations.lines.push(line([operationIds.get(q), q, opensOn(q), quarterBounds(q).end, 30_000_000_000_000n, userId]));
  let rows = 0;
  for (const h of histories()) {
    const institutionId = randomUUID();
    tables.institutions.lines.push(line([institutionId, h.code, h.code, h.code, 'bank', h.eligibleFrom ?? '2021-07-01']));
    const projectIds = new Map<string, string>();
    const loanIds = new Map<string, string>();
    for (const l of h.loans) {
      const f = loanFactsFromText(l);
      let projectId = projectIds.get(l.project.ref);
      if (!projectId) {
        projectId = randomUUID();
        projectIds.set(l.project.ref, projectId);
        tables.projects.lines.push(
          line([
            projectId,
            institutionId,
            l.project.ref,
            l.project.name,
            l.project.province,
            l.project.subArea,
            f.project.totalInvestmentFen,
            f.project.annualReductionCentitonnes,
            l.project.reductionBasis,
            l.project.evidence.title,
            l.project.evidence.sha256,
            0,
          ]),
        );
      }
      const id = randomUUID();
      loanIds.set(l.loanRef, id);
      tables.loans.lines.push(
        line([
          id,
          institutionId,
          l.loanRef,
          projectId,
          l.borrower.name,
          l.borrower.creditCode,
          f.principalFen,
          f.principalFen,
          f.ratePpm,
          l.disbursedOn,
          l.maturesOn,
          '2021-11',
          '2021-11-launch',
          '1y',
          l.disbursedOn.slice(0, 7),
          38_500,
          true,
          'eligible',
          '[]',
          loanContentSha256(f),
          userId,
        ]),
      );
    }
    const applicationIds = new Map<string, string>();
    for (const a of h.applications) {
      const id = randomUUID();
      applicationIds.set(a.ref, id);
      tables.applications.lines.push(
        line([
          id,
          institutionId,
          operationIds.get(a.quarter),
          a.on,
          'disbursed',
          '2021-11-launch',
          a.requestedFen,
          a.requestedFen,
          userId,
          userId,
        ]),
      );
      for (const l of a.loans) {
        const fen = parseYuan(l.principal)!;
        tables.application_loans.lines.push(
          line([id, loanIds.get(l.loanRef), fen, (fen * 6n) / 10n, 1, fen, l.maturesOn, 'eligible', l.disbursedOn]),
        );
      }
      tables.collateral.lines.push(
        line([randomUUID(), institutionId, id, 'central_government_bond', `${a.ref}-CGB`, a.collateralFen, a.collateralFen, a.on]),
      );
    }
    let previous: string | null = null;
    for (const t of h.tranches) {
      const id = randomUUID();
      tables.facilities.lines.push(
        line([
          id,
          institutionId,
          applicationIds.get(t.applicationRef),
          t.rollovers === 0 ? null : previous,
          t.principalFen,
          t.status === 'active' ? t.principalFen : 0n,
          17_500,
          'actual_360',
          t.start,
          addYears(t.start, 1),
          t.rollovers,
          t.status,
          '2021-11-launch',
          t.start,
          t.start,
        ]),
      );
      previous = id;
    }
    rows += h.loans.length;
  }
  const copy = (table: string) => copyLines(client, `copy ${table} (${tables[table].columns}) from stdin`, tables[table].lines);
  const result = await timed(async () => {
    await client.query('begin');
    for (const table of Object.keys(tables)) await copy(table);
    await client.query('commit');
  });
  await client.end();
  return { seconds: result.seconds, loans: rows };
}

// ---------------------------------------------------------------- compiled figures against a raw aggregate

/** The three horizons' figures of every bank for `quarter`, in one aggregate over the covered loans. */
export function rawAggregate(quarter: string) {
  const { start, end, year } = quarterBounds(quarter);
  const horizon = (name: string, from: string) => {
    const f = `filter (where l.disbursed_on >= date '${from}')`;
    return `count(distinct l.project_id) ${f} as ${name}_projects,
      coalesce(sum(l.principal_fen) ${f}, 0) as ${name}_principal_fen,
      round(sum(l.rate_ppm::numeric * l.principal_fen) ${f} / nullif(sum(l.principal_fen) ${f}, 0) / 10000, 2) as ${name}_rate,
      round(coalesce(sum(p.annual_reduction_centitonnes::numeric * l.principal_fen / p.total_investment_fen) ${f}, 0) / 100, 2) as ${name}_tonnes`;
  };
  return `select i.code, ${horizon('q', start)}, ${horizon('y', `${year}-01-01`)}, ${horizon('a', '0001-01-01')}
    from loans l join projects p on p.id = l.project_id join institutions i on i.id = l.institution_id
    join application_loans al on al.loan_id = l.id and al.active = 1
    join applications a on a.id = al.application_id and a.status in ('approved','disbursed')
    where l.disbursed_on <= date '${end}'
    group by i.code order by i.code`;
}

type Figures = { projects: number; loanAmountWanYuan: string; weightedAverageRatePercent: string | null; annualReductionTonnes: string };

async function compileAndCheck(url: string, client: pg.Client, log: (line: string) => void) {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_OPERATOR_KEY}` };
  const compiled = await timed(async () => {
    for (const quarter of QUARTERS) {
      const res = await fetch(`${url}/api/v1/disclosures/compile`, { method: 'POST', headers, body: JSON.stringify({ quarter }) });
      if (res.status !== 202) throw new Error(`compile ${quarter}: ${res.status} ${await res.text()}`);
    }
    await waitFor(
      async () =>
        Number(
          (
            await client.query(
              `select count(distinct (institution_id, quarter)) from disclosure_versions where quarter between $1 and $2`,
              [FIRST, LAST],
            )
          ).rows[0].count,
        ) ===
        BANKS * QUARTERS.length,
      'compilation',
      900_000,
    );
  });
  let agree = 0;
  let checked = 0;
  const raw = await timed(async () => {
    for (const quarter of QUARTERS) {
      const rows = (await client.query(rawAggregate(quarter))).rows as Record<string, string>[];
      const stored = (
        await client.query(
          `select distinct on (i.code) i.code, v.content from disclosure_versions v join institutions i on i.id = v.institution_id
           where v.quarter = $1 order by i.code, v.version desc`,
          [quarter],
        )
      ).rows as { code: string; content: { horizons: Record<string, Figures> } }[];
      for (const r of rows) {
        checked += 1;
        const c = stored.find((s) => s.code === r.code)?.content.horizons;
        const same = (h: string, key: string) =>
          c &&
          c[key].projects === Number(r[`${h}_projects`]) &&
          c[key].loanAmountWanYuan === formatFenAsWanYuan(BigInt(r[`${h}_principal_fen`])) &&
          c[key].weightedAverageRatePercent === (r[`${h}_rate`] ?? null) &&
          c[key].annualReductionTonnes === r[`${h}_tonnes`];
        if (same('q', 'quarter') && same('y', 'yearToDate') && same('a', 'sinceInception')) agree += 1;
        else if (process.env.BENCH_LOG_LEVEL) log(`differs ${quarter}: ${JSON.stringify(r)} vs ${JSON.stringify(c)}`);
      }
    }
  });
  return { compiledSeconds: compiled.seconds, rawSeconds: raw.seconds, agree, checked };
}

// ---------------------------------------------------------------- the benchmark

const bench: Benchmark = async ({ pg: server, log }) => {
  const sample = bankHistory(0, loansPerBank(0));
  log(
    `${fmt(LOANS)} loans, ${BANKS} banks, ${QUARTERS.length} quarters (${FIRST}–${LAST}); per bank ${fmt(sample.applications.length)} applications, ${fmt(sample.tranches.length)} tranches, ${fmt(sample.recordCount)} records in ${sample.documents.length} documents (one a year); ${CONCURRENCY} requests in flight`,
  );

  // the raw baseline runs before and after the import, and its better run counts (the stricter comparison)
  const rawBefore = await copyBaseline(await freshDatabase(server, 'history_raw'));
  log(`raw COPY            ${fmt(LOANS / rawBefore.seconds)} loans/s (${fmt(rawBefore.seconds, 2)} s)`);

  const { url: apiUrl, client } = await serviceDatabase(server, 'history_api');
  if (process.env.BENCH_SLOW_MS)
    await client.query(
      `alter database ${new URL(apiUrl).pathname.slice(1)} set log_min_duration_statement = ${Number(process.env.BENCH_SLOW_MS)}`,
    );
  await resetStatementStats(client);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-bench-history-'));
  const service = await startServiceProcess({ DATABASE_URL: apiUrl, DATA_DIR: dataDir });
  const rss = await sampleRss(service.pid);
  const api = await timed(() => importThroughApi(service.url));
  const peakMb = await rss.stop();
  log(
    `import (PostgreSQL) ${fmt(LOANS / api.seconds)} loans/s (${fmt(api.seconds, 2)} s: ${fmt(api.value.documents)} documents, ${fmt(api.value.megabytes, 1)} MB, ${fmt(api.value.records)} records booked), service peak RSS ${fmt(peakMb)} MB`,
  );
  await logStatementStats(client, log);
  const check = await compileAndCheck(service.url, client, log);
  await service.stop();
  await client.end();
  const rawAfter = await copyBaseline(await freshDatabase(server, 'history_raw'));
  log(`raw COPY again      ${fmt(LOANS / rawAfter.seconds)} loans/s (${fmt(rawAfter.seconds, 2)} s)`);
  const rawRate = LOANS / Math.min(rawBefore.seconds, rawAfter.seconds);
  const apiRate = LOANS / api.seconds;
  log(
    `ratio import/raw    ${fmt(apiRate / rawRate, 2)}  (target ≥ 0.30: ${apiRate / rawRate >= 0.3 ? 'met' : 'NOT met'}); RSS target < 512 MB: ${peakMb < 512 ? 'met' : 'NOT met'}`,
  );
  log(
    `compiled            ${BANKS * QUARTERS.length} versions in ${fmt(check.compiledSeconds, 1)} s; figures agreeing with the raw SQL aggregate: ${check.agree}/${check.checked} bank-quarters (3 horizons each; aggregate ${fmt(check.rawSeconds, 1)} s)`,
  );
  rmSync(dataDir, { recursive: true, force: true });
};

export default bench;
