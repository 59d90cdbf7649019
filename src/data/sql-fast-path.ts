// The guard's fast path: recognizes the common shape of an app query (SELECT columns FROM the table, AND-ed comparisons
// with placeholders or literals, ORDER BY, LIMIT) with a strict tokenizer and prints it exactly as the parser's
// normalized form. Anything else, however slightly different, returns undefined and goes to the full parser, so this
// path can only accept a subset of what the parser accepts (the differential test in sql-fast-path.test.ts holds it
// to byte-identical output).
import { quoteIdent, type SqlDialect } from './masking.js';

export interface FastGuardInput {
  sql: string;
  table: string;
  allowed: readonly string[];
  /** The row limit plus one (the guard asks for one more row to know when it truncated). */
  maxLimit: number;
}

export interface FastGuardResult {
  normalized: string;
  columns: string[];
}

/** Words that may never be read as a column name here (the parser would read them as syntax). */
const RESERVED = new Set(
  (
    'select from where and or not order by asc desc limit offset group having union intersect except join inner left ' +
    'right full cross natural on using as in is null like ilike between case when then else end distinct all any some ' +
    'exists true false with into for window over partition fetch values returning lateral collate escape rows row ' +
    // Bare words an engine reads as a value or an operator rather than a column (PostgreSQL prints columns unquoted).
    'user current_user session_user current_role current_date current_time current_timestamp localtime ' +
    'localtimestamp current_catalog current_schema key div mod xor regexp rlike binary interval default'
  ).split(' '),
);
const TOKEN =
  /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(\$[1-9][0-9]{0,2}|\?)|((?:0|-?[1-9][0-9]{0,8})(?:\.[0-9]{0,8}[1-9])?(?![0-9.]))|('[^'\n\r]{0,200}'(?!'))|(<=|>=|<>|[=<>,*]))/y;
const OPS = new Set(['=', '<>', '<', '<=', '>', '>=']);

type Tok = { kind: 'word' | 'param' | 'number' | 'string' | 'punct'; text: string };

function tokenize(sql: string): Tok[] | undefined {
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  const end = sql.trimEnd().length;
  while (TOKEN.lastIndex < end) {
    const m = TOKEN.exec(sql);
    if (!m) return undefined;
    if (m[1] !== undefined) out.push({ kind: 'word', text: m[1] });
    else if (m[2] !== undefined) out.push({ kind: 'param', text: m[2] });
    else if (m[3] !== undefined) out.push({ kind: 'number', text: m[3] });
    else if (m[4] !== undefined) out.push({ kind: 'string', text: m[4] });
    else out.push({ kind: 'punct', text: m[5] });
  }
  return out;
}

export function fastGuard(dialect: SqlDialect, req: FastGuardInput): FastGuardResult | undefined {
  const toks = tokenize(req.sql);
  if (!toks) return undefined;
  const allowed = new Map(req.allowed.map((c) => [c.toLowerCase(), c]));
  const used = new Set<string>();
  let i = 0;
  const peekWord = (w: string) => toks[i]?.kind === 'word' && toks[i].text.toLowerCase() === w;
  const word = (w: string) => (peekWord(w) ? (i++, true) : false);
  const punct = (p: string) => (toks[i]?.kind === 'punct' && toks[i].text === p ? (i++, true) : false);
  const column = (): string | undefined => {
    const t = toks[i];
    if (t?.kind !== 'word' || RESERVED.has(t.text.toLowerCase())) return undefined;
    const c = allowed.get(t.text.toLowerCase());
    if (!c || RESERVED.has(c.toLowerCase()) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(c)) return undefined;
    i++;
    used.add(c);
    return dialect === 'postgres' ? c : quoteIdent(dialect, c);
  };
  const value = (): string | undefined => {
    const t = toks[i];
    if (!t) return undefined;
    if (t.kind === 'param' && (dialect === 'postgres') !== (t.text === '?')) return (i++, t.text);
    if (t.kind === 'number' || t.kind === 'string') return (i++, t.text);
    return undefined;
  };

  if (!word('select')) return undefined;
  let cols: string[];
  if (punct('*')) {
    cols = ['*'];
    for (const c of allowed.values()) used.add(c);
  } else {
    cols = [];
    do {
      const c = column();
      if (!c) return undefined;
      cols.push(c);
    } while (punct(','));
  }
  if (!word('from')) return undefined;
  const t = toks[i];
  if (t?.kind !== 'word' || t.text.toLowerCase() !== req.table.toLowerCase() || RESERVED.has(t.text.toLowerCase()))
    return undefined;
  i++;
  let out = `SELECT ${cols.join(', ')} FROM ${quoteIdent(dialect, req.table)}`;
  if (word('where')) {
    const conds: string[] = [];
    do {
      const c = column();
      const op = toks[i]?.kind === 'punct' && OPS.has(toks[i].text) ? toks[i++].text : undefined;
      const v = op ? value() : undefined;
      if (!c || !op || v === undefined) return undefined;
      conds.push(`${c} ${op} ${v}`);
    } while (word('and'));
    out += ` WHERE ${conds.join(' AND ')}`;
  }
  if (word('order')) {
    if (!word('by')) return undefined;
    const keys: string[] = [];
    do {
      const c = column();
      if (!c) return undefined;
      keys.push(`${c} ${word('desc') ? 'DESC' : (word('asc'), 'ASC')}`);
    } while (punct(','));
    out += ` ORDER BY ${keys.join(', ')}`;
  }
  let limit = req.maxLimit;
  if (word('limit')) {
    const n = toks[i];
    if (n?.kind !== 'number' || !/^[0-9]+$/.test(n.text)) return undefined;
    i++;
    limit = Math.min(Number(n.text), req.maxLimit);
  }
  if (i !== toks.length) return undefined;
  return { normalized: `${out} LIMIT ${limit}`, columns: [...used] };
}
