// The commands of `forkscope`, in the order the help lists them. Adding a command is one
// import and one entry here.
import type { Command } from './command.js';
import { checkCommand } from './commands/check.js';
import { normalizeCommand } from './commands/normalize.js';
import { parseCommand } from './commands/parse.js';
import { reportCommand } from './commands/report.js';
import { treeCommand } from './commands/tree.js';

export const COMMANDS: readonly Command[] = [parseCommand, treeCommand, checkCommand, normalizeCommand, reportCommand];
