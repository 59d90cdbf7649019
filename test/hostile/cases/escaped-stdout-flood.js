// hostile: (escaped vm) flood the protocol pipe with junk and fake messages
// tiers: container-escaped
// expect: failure
export default async function main() {
  const junk = 'z'.repeat(1 << 20) + '\n{"t":"call","id":1,"method":"llm.chat","args":"{}"}\n';
  for (let i = 0; i < 200; i++) process.stdout.write(junk);
  await new Promise(() => {});
}
