// The name rule shared by catalog entries and apps, without zod, so the CLI can check names cheaply.
export const NAME_RE = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;
