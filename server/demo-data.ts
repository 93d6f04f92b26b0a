/** Demo data for `npm run demo`: filled in as features land. */
import type { RunningService } from './service.js';

export async function loadDemoData(service: RunningService): Promise<{ lines: string[] }> {
  return { lines: [`  demo data    none yet (${service.url})`] };
}
