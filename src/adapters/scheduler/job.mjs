// A bree worker: registers tsx (hooks do not reach worker threads on Node 20), then runs one task of the desk.
import { register } from 'tsx/esm/api';

register();
await import('./run-task.ts');
