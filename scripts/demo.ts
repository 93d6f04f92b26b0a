/** The demo's entry point (`scripts/demo.sh`, `npm run demo`): the service, then the demo data through its API. */
import { exitOnFailure, runService } from '../process/run.js';
import { loadDemoData } from './demo-data.js';

runService(loadDemoData).catch(exitOnFailure);
