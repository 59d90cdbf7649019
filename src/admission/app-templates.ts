// Starter app templates (templates/<name>/): their names and files, read by `gatehouse app init` and the console guide.
import { readdirSync, readFileSync } from 'node:fs';
import { repoPath } from '../core/repo-root.js';

export const TEMPLATES = ['chatbot', 'summarizer', 'data-explorer'] as const;

export interface TemplateFile {
  path: string;
  /** The file as stored: `__NAME__` and `__OWNER__` are filled in by `app init`. */
  content: string;
}

/** A template's files, sorted by name (the caller has checked the name is one of TEMPLATES). */
export function templateFiles(template: (typeof TEMPLATES)[number]): TemplateFile[] {
  const src = repoPath('templates', template);
  return readdirSync(src)
    .sort()
    .map((path) => ({ path, content: readFileSync(`${src}/${path}`, 'utf8') }));
}
