/**
 * Daily interest accrual over 100,000 live tranches (BENCH_TRANCHES), against a raw single SQL
 * statement on the same rows in the same run. Ours = `accrueInterest(tx, { through })`: one set-based
 * UPDATE that books each tranche's day (rounded once per segment, exact NUMERIC arithmetic) plus one
 * hash-chained journal entry per bank. The raw baseline is a hand-written single UPDATE computing and
 * storing the same per-tranche figures with no journal. Each run is rolled back and the table
 * vacuumed, so all runs start from the same state; the best of two runs counts on each side. The
 * figures are then checked tranche by tranche against the pure domain function. Target: ≤ 3×.
 */
import os from 'node:os';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../db/client.js';
import { accrueInterest } from '../app/refinancing/scans.js';
import { dailyAccrualFen } from '../domain/refinancing/interest.js';
import { fmt, freshDatabase, timed, type Benchmark } from './support.js';

const TRANCHES = Number(process.env.BENCH_TRANCHES ?? 100_000);
const BANKS = 25;
const START = '2023-06-01';
const DAY = '2023-09-10'; // the day being accrued; every tranche is accrued through the day before

const DEN = `(1000000::numeric * case f.day_count when 'actual_365' then 365 else 360 end)`;
const SEGMENT = `div(2 * f.outstanding_fen::numeric * f.rate_ppm * ($1::date - f.interest_from_on) + ${DEN}, 2 * ${DEN})::bigint`;
const RAW_UPDATE = `
  update facilities f set
    last_accrual_fen = ${SEGMENT} - f.segment_accrued_fen,
    interest_accrued_fen = f.interest_accrued_fen + ${SEGMENT} - f.segment_accrued_fen,
    segment_accrued_fen = ${SEGMENT},
    accrued_through = $1::date
  where f.status in ('active','matured','overdue') and f.outstanding_fen > 0 and f.accrued_through < $1::date`;

async function seed(client: pg.Client) {
  await client.query(`insert into institutions (id, code, name_zh, name_en, kind, eligible_from)
    select gen_random_uuid(), 'BANK' || g, '银行' || g, 'Bank ' || g, 'bank', '2021-11-08' from generate_series(1, ${BANKS}) g`);
  await client.query(
    `insert into institutions (id, code, name_zh, name_en, kind) values (gen_random_uuid(), 'PBOC', '中国人民银行', 'PBoC', 'operator')`,
  );
  await client.query(`insert into users (id, institution_id, name, role, api_key_sha256)
    select gen_random_uuid(), id, 'op', 'operator', md5(random()::text) from institutions where code = 'PBOC'`);
  await client.query(`insert into operations (quarter, opens_on, closes_on, volume_fen, created_by)
    select '2023Q2', '2023-04-01', '2023-06-30', 10000000000000000, id from users limit 1`);
  await client.query(`insert into applications (institution_id, operation_id, applied_on, status, policy_version, requested_fen, approved_fen)
    select i.id, o.id, '${START}', 'disbursed', '2023-01-extension', 1, 1 from institutions i, operations o where i.kind = 'bank'`);
  // principals from 1,000.00 to about 100 million yuan, a sixth on actual/365, days accrued through the day before
  await client.query(
    `insert into facilities (institution_id, application_id, principal_fen, outstanding_fen, rate_ppm, day_count, start_on, matures_on, policy_version,
       interest_from_on, segment_accrued_fen, accrued_through, interest_accrued_fen)
     select a.institution_id, a.id, p.fen, p.fen, 17500, p.dc, '${START}', '2024-06-01', '2023-01-extension', '${START}',
       div(2 * p.fen::numeric * 17500 * ($1::date - 1 - '${START}'::date) + p.den, 2 * p.den)::bigint, $1::date - 1,
       div(2 * p.fen::numeric * 17500 * ($1::date - 1 - '${START}'::date) + p.den, 2 * p.den)::bigint
     from generate_series(1, ${TRANCHES}) g
     cross join lateral (select 100000 + (g::bigint * 7919 * 104729) % 10000000000 as fen,
                                case when g % 6 = 0 then 'actual_365' else 'actual_360' end as dc,
                                1000000::numeric * case when g % 6 = 0 then 365 else 360 end as den) p
     join (select id, institution_id, row_number() over (order by id) - 1 as n from applications) a on a.n = g % ${BANKS}`,
    [DAY],
  );
  await client.query('vacuum analyze');
}

const bench: Benchmark = async ({ pg: server, log }) => {
  const url = await freshDatabase(server, 'accrual');
  const database = await openDatabase({ databaseUrl: url, dataDir: os.tmpdir(), poolMax: 2 });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const seeded = await timed(() => seed(client));
  log(`${fmt(TRANCHES)} live tranches over ${BANKS} banks, accruing ${DAY} (seeded in ${fmt(seeded.seconds, 1)} s)`);

  // the raw statement alone, rolled back
  const raw = async () => {
    await client.query('begin');
    const r = await timed(() => client.query(RAW_UPDATE, [DAY]));
    await client.query('rollback');
    await client.query('vacuum facilities');
    if (r.value.rowCount !== TRANCHES) throw new Error(`raw statement touched ${r.value.rowCount} rows`);
    return r.seconds;
  };
  // ours; the last run commits so its figures can be checked
  const ours = async (commit: boolean) => {
    const r = await timed(() =>
      database.db
        .transaction(async (tx) => {
          const result = await accrueInterest(tx, { through: DAY });
          if (!commit) tx.rollback();
          return result;
        })
        .catch((err: Error) => {
          if (err.message !== 'Rollback' && err.constructor.name !== 'TransactionRollbackError') throw err;
          return null;
        }),
    );
    if (!commit) await client.query('vacuum facilities');
    return r;
  };

  const raw1 = await raw();
  const ours1 = await ours(false);
  const raw2 = await raw();
  const ours2 = await ours(true);
  const rawBest = Math.min(raw1, raw2);
  const oursBest = Math.min(ours1.seconds, ours2.seconds);
  const result = ours2.value!;
  log(`raw single UPDATE   ${fmt(rawBest * 1000)} ms (runs ${fmt(raw1 * 1000)} / ${fmt(raw2 * 1000)} ms)`);
  log(
    `accrueInterest      ${fmt(oursBest * 1000)} ms (runs ${fmt(ours1.seconds * 1000)} / ${fmt(ours2.seconds * 1000)} ms): ${fmt(result.tranches)} tranches, ${result.entries} journal entries, total ${result.totalFen} fen`,
  );
  const ratio = oursBest / rawBest;
  log(`ratio ours/raw      ${fmt(ratio, 2)}  (target ≤ 3.00: ${ratio <= 3 ? 'met' : 'NOT met'})`);

  // check every tranche's booked day against the pure domain function, and the journal against the tranches
  const rows = await client.query<{
    outstanding_fen: string;
    rate_ppm: string;
    day_count: 'actual_360' | 'actual_365';
    interest_from_on: string;
    last_accrual_fen: string;
  }>(
    `select outstanding_fen, rate_ppm, day_count, to_char(interest_from_on, 'YYYY-MM-DD') as interest_from_on, last_accrual_fen from facilities`,
  );
  let mismatches = 0;
  let sum = 0n;
  for (const r of rows.rows) {
    const expected = dailyAccrualFen(
      { principalFen: BigInt(r.outstanding_fen), ratePpm: BigInt(r.rate_ppm), dayCount: r.day_count, fromOn: r.interest_from_on },
      DAY,
      'half_up',
    );
    if (expected !== BigInt(r.last_accrual_fen)) mismatches += 1;
    sum += expected;
  }
  const journal = await database.db.execute(sql`select coalesce(sum(debit_fen), 0)::text as fen from journal_lines`);
  const journalFen = BigInt((journal as unknown as { rows: { fen: string }[] }).rows[0].fen);
  log(
    `check               ${mismatches === 0 ? 'every tranche matches the domain figure' : `${mismatches} tranches differ from the domain figure`}; journal ${journalFen === sum ? '=' : '≠'} Σ tranches (${sum} fen)`,
  );
  await client.end();
  await database.close();
};

export default bench;
