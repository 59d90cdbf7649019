// Dev-only entry for the wasm tier's worker when Gatehouse runs from TypeScript under tsx (tests, benches): Node 20
// does not apply tsx's --import hooks inside worker threads, so register them here, then load the real worker.
import { register } from 'tsx/esm/api';

register();
const worker = await import('./wasm-worker.ts');
export default worker.default;
