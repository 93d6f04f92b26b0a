/**
 * What the routes of the disclosure workflow share: running a use case for the request's actor in one
 * transaction (the service's clock), and a disclosure's address in the URL (`:institutionCode/:quarter`).
 */
import type { Response } from 'express';
import type { ActorContext } from '../../app/perform.js';
import { QuarterString } from '../../schemas/common.js';
import type { AppDeps } from '../../process/context.js';
import { actorOf } from '../auth.js';
import { parseOrThrow } from '../validate.js';

/** `run(res, work)`: the use case `work` for the request's actor, in one transaction. */
export const actorTransaction =
  (deps: AppDeps) =>
  <T>(res: Response, work: (ctx: ActorContext) => Promise<T>): Promise<T> => {
    const actor = actorOf(res);
    return deps.database.db.transaction((tx) => work({ tx, now: deps.now(), actor }));
  };

/** The disclosure the URL names: its institution's code and its quarter (checked, 422 naming `quarter`). */
export const disclosureRef = (req: { params: Record<string, unknown> }) => ({
  institutionCode: String(req.params.institutionCode),
  quarter: parseOrThrow(QuarterString, String(req.params.quarter), ['quarter']),
});
