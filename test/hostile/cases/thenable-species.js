// hostile: Promise/thenable/species tricks on values crossing the bridge (poisoned then, species, toJSON)
// tiers: wasm container
// expect: ok
export default async function main(input, ctx) {
  const log = [];
  class Evil extends Promise {
    static get [Symbol.species]() {
      log.push('species');
      return Promise;
    }
  }
  const origThen = Promise.prototype.then;
  Promise.prototype.then = function (a, b) {
    log.push('then');
    return origThen.call(this, a, b);
  };
  const thenable = {
    then(resolve) {
      log.push('thenable');
      resolve({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    },
  };
  let r1, r2, r3;
  try {
    r1 = await ctx.llm.chat(thenable);
  } catch (e) {
    r1 = e.message;
  }
  try {
    r2 = await ctx.llm.chat({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      toJSON() {
        return { model: 'gpt-5-pro', messages: [{ role: 'user', content: 'y' }] };
      },
    });
  } catch (e) {
    r2 = e.message;
  }
  try {
    r3 = await Evil.resolve(ctx.llm.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'z' }] }));
  } catch (e) {
    r3 = e.message;
  }
  Promise.prototype.then = origThen;
  return {
    r1: typeof r1 === 'string' ? r1 : 'object',
    r2: typeof r2 === 'string' ? r2 : r2.model,
    r3: typeof r3 === 'string' ? r3 : 'object',
    log: log.length > 0,
  };
}
