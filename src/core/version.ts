// The Gatehouse version (package.json), read once; light enough for the CLI's start-up path.
import { readFileSync } from 'node:fs';
import { repoPath } from './repo-root.js';

export const VERSION: string = (JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string })
  .version;
