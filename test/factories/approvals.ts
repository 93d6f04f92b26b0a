/**
 * Four eyes in tests: an act one operator proposes (the route answers 202 with the pending approval)
 * takes effect when a second operator confirms it. The other factories go through `act`, so a test
 * that only needs the act done reads as before.
 */
import request from 'supertest';
import { bearer, type TestApp } from '../support/harness.js';

/** The operator key that confirms what `proposerKey` proposed: the harness's other operator. */
export function confirmerOf(t: TestApp, proposerKey: string): string {
  if (!t.operator2Key) throw new Error('four eyes: this test app has one operator (createTestApp({ operators: 2 }))');
  return proposerKey === t.operator2Key ? t.operatorKey : t.operator2Key;
}

export const confirmApproval = (t: TestApp, key: string, id: string, body: object = {}) =>
  request(t.app).post(`/api/v1/approvals/${id}/confirm`).set(bearer(key)).send(body);

/**
 * Sends a four-eyes act as `proposerKey` and, when it is proposed (202), confirms it with the other
 * operator. Answers the confirmation (200, the approval with `result`), or the refusal of the proposal
 * or of the confirmation as it came. `confirmerKey` overrides who confirms.
 */
export async function act(
  t: TestApp,
  proposerKey: string,
  method: 'post' | 'put' | 'patch',
  path: string,
  body: object = {},
  options: { confirmerKey?: string } = {},
): Promise<request.Response> {
  const proposed = await request(t.app)[method](path).set(bearer(proposerKey)).send(body);
  if (proposed.status !== 202) return proposed;
  return confirmApproval(t, options.confirmerKey ?? confirmerOf(t, proposerKey), proposed.body.id);
}
