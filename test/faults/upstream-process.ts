// The fake provider in its own process, so a test measuring the gateway's memory does not count the provider's
// write buffers. argv: provider key, reply size in bytes, chunk size. Reports {url} over IPC; exits on disconnect.
import { FakeUpstream } from '../../src/demo/fake-upstream.js';

const [apiKey, replyBytes, chunkSize] = process.argv.slice(2);
const upstream = await new FakeUpstream({ apiKey, chunkSize: Number(chunkSize), record: false }).start();
upstream.reply = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(Number(replyBytes) / 27));
process.send?.({ url: upstream.url });
process.on('disconnect', () => void upstream.close().then(() => process.exit(0)));
