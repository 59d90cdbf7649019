// Dev-only entry for the verification worker when Gatehouse runs from TypeScript under tsx (tests, benches): Node 20
// does not apply tsx's --import hooks inside worker threads, so register them here, then load the real worker.
import { register } from 'tsx/esm/api';

register();
const worker = await import('./verify-worker.ts');
export default worker.default;
