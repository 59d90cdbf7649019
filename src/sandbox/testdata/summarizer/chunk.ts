// Splits text into chunks of at most n words.
export function chunk(text: string, n: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < words.length; i += n) out.push(words.slice(i, i + n).join(' '));
  return out.length ? out : [''];
}
