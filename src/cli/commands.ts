// The list of feature command registrations, in help order. Add one line per feature.
import type { CommandRegistration } from './program.js';
import { registerServeCommand } from './serve-command.js';

export const commandRegistrations: CommandRegistration[] = [registerServeCommand];
