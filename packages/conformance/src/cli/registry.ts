// The commands of `forkscope`, in the order the help lists them. Adding a command is one
// import and one entry here.
import type { Command } from './command.js';
import { checkCommand } from './commands/check.js';
import { normalizeCommand } from './commands/normalize.js';
import { parseCommand } from './commands/parse.js';
import { matrixCommand } from './commands/matrix.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { treeCommand } from './commands/tree.js';
import { verifyCommand } from './commands/verify.js';

export const COMMANDS: readonly Command[] = [parseCommand, treeCommand, checkCommand, normalizeCommand, reportCommand, runCommand, matrixCommand, verifyCommand];
