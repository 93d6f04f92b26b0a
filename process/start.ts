/** `npm start`: the service until SIGTERM/SIGINT (see run.ts). */
import { exitOnFailure, runService } from './run.js';

runService().catch(exitOnFailure);
