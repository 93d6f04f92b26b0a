/**
 * Query threads of a verification: the assigned verifier raises a query on a sampled loan
 * (POST …/queries), the bank answers it (POST …/queries/:queryId/answers) while the version is under
 * verification, and the bank, the verifier and operators read the threads (GET …/queries, `?version=`).
 * The verdict's report keeps them.
 */
import { perform } from '../../app/perform.js';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { answerQuery } from '../../app/disclosures/answer-query.js';
import { queryThreads } from '../../app/disclosures/query-threads.js';
import { raiseQuery } from '../../app/disclosures/raise-query.js';
import { isUuid } from '../../schemas/common.js';
import { AnswerQueryBody, QueriesQuery, QueryThread, QueryThreads, RaiseQueryBody, ThreadMessage } from '../../schemas/evidence.js';
import { actingOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { notFound } from '../errors.js';
import { describe } from '../openapi.js';
import { presentThread } from '../presenters/evidence.js';
import { parseOrThrow } from '../validate.js';
import { disclosureRef } from './disclosure-ref.js';

const Path = '/api/v1/disclosures/:institutionCode/:quarter/queries';

describe({
  method: 'post',
  path: Path,
  operationId: 'raiseQuery',
  tag: 'verification',
  roles: ['verifier'],
  summary: 'Raise a query on a sampled loan (the assigned verifier, before its verdict); the bank answers it',
  body: RaiseQueryBody,
  errors: ['illegal_transition', 'loan_not_in_sample'],
  responses: { 201: QueryThread },
  idempotent: true,
});
describe({
  method: 'get',
  path: Path,
  operationId: 'listQueries',
  tag: 'verification',
  roles: ['bank', 'verifier', 'operator'],
  summary: "A version's query threads, oldest first (the bank, the verifier assigned to the version, operators)",
  query: QueriesQuery,
  responses: { 200: QueryThreads },
});
describe({
  method: 'post',
  path: `${Path}/:queryId/answers`,
  operationId: 'answerQuery',
  tag: 'verification',
  roles: ['bank'],
  summary: "Answer a verifier's query on the bank's disclosure (while it is under verification)",
  body: AnswerQueryBody,
  errors: ['illegal_transition'],
  responses: { 201: z.object({ query: QueryThread, answer: ThreadMessage }) },
  idempotent: true,
});

export function verificationQueryRoutes(deps: AppDeps): Router {
  const router = Router();
  const db = deps.database.db;
  const ref = disclosureRef;
  /** the thread of one query, as the caller reads the version's threads */
  const threadOf = async (res: Response, target: ReturnType<typeof ref>, queryId: string) => {
    const { threads } = await perform(db, actingOf(deps, res), (ctx) => queryThreads(ctx, target));
    return threads.find((q) => q.id === queryId)!;
  };

  router.post('/disclosures/:institutionCode/:quarter/queries', requireRole('verifier'), async (req, res) => {
    const body = parseOrThrow(RaiseQueryBody, req.body ?? {});
    const target = ref(req);
    const query = await perform(db, actingOf(deps, res), (ctx) => raiseQuery(ctx, { ...target, loanId: body.loanId, text: body.text }));
    res.status(201).json(presentThread(await threadOf(res, target, query.id)));
  });

  router.get('/disclosures/:institutionCode/:quarter/queries', requireRole('bank', 'verifier', 'operator'), async (req, res) => {
    const query = parseOrThrow(QueriesQuery, req.query);
    const target = ref(req);
    const { version, threads } = await perform(db, actingOf(deps, res), (ctx) => queryThreads(ctx, { ...target, version: query.version }));
    res.json({
      institution: target.institutionCode,
      quarter: version.quarter,
      version: version.version,
      items: threads.map(presentThread),
    });
  });

  router.post('/disclosures/:institutionCode/:quarter/queries/:queryId/answers', requireRole('bank'), async (req, res) => {
    const queryId = String(req.params.queryId);
    if (!isUuid(queryId)) throw notFound(`query ${queryId}`);
    const body = parseOrThrow(AnswerQueryBody, req.body ?? {});
    const target = ref(req);
    const answer = await perform(db, actingOf(deps, res), (ctx) => answerQuery(ctx, { ...target, queryId, text: body.text }));
    const thread = presentThread(await threadOf(res, target, queryId));
    res.status(201).json({ query: thread, answer: thread.answers.find((a) => a.id === answer.id)! });
  });

  return router;
}
