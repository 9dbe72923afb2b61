// A process tree as indented text, one process per line with its exec chain and
// threads below it:
//   4082 exited 0
//   │  execve /usr/bin/dash ["dash", "-c", "true"]
//   └─ 4083 vfork → exited 0
//         execve /bin/true ["true"]
import type { ProcessTree, TreeCreation, TreeEnd, TreeExec, TreeProcess } from './process-tree.js';

export function renderTree(tree: ProcessTree): string {
  const lines: string[] = [];
  for (const root of tree.roots) renderProcess(root, '', '', lines);
  for (const a of tree.anomalies) lines.push(`warning: ${a}`);
  return lines.join('\n') + (lines.length > 0 ? '\n' : '');
}

function renderProcess(p: TreeProcess, lead: string, childLead: string, lines: string[]): void {
  const by = p.createdBy;
  // Made by one of the parent's threads (or, under CLONE_PARENT, by a child of the parent).
  const byOther = by !== null && by.byTid !== p.parentPid ? ` by ${by.byTid ?? '?'}` : '';
  const how = by === null ? '' : `${creationText(by)}${byOther} → `;
  lines.push(`${lead}${p.pid ?? '(no pid)'} ${how}${endText(p.end)}`);
  const detailLead = childLead + (p.children.length > 0 ? '│  ' : '   ');
  for (const e of p.execs) lines.push(`${detailLead}${execText(e)}`);
  for (const t of p.threads) {
    const how2 = t.createdBy === null ? '' : ` (${creationText(t.createdBy)})`;
    const took = t.tookOverPid ? ', exec took the pid' : '';
    lines.push(`${detailLead}thread ${t.tid ?? '?'}${how2}${took} → ${endText(t.end)}`);
  }
  p.children.forEach((c, i) => {
    const last = i === p.children.length - 1;
    renderProcess(c, childLead + (last ? '└─ ' : '├─ '), childLead + (last ? '   ' : '│  '), lines);
  });
}

function creationText(c: TreeCreation): string {
  const parts = [...c.flags];
  if (c.call === 'clone' || c.call === 'clone3') {
    if (c.exitSignal !== null) parts.push(String(c.exitSignal));
    const pidfd = c.pidfd === null ? '' : ` pidfd=${c.pidfd}`;
    return `${c.call}(${parts.join('|') || '0'})${pidfd}`;
  }
  return c.call;
}

function execText(e: TreeExec): string {
  const argv = e.argv === null ? 'NULL' : JSON.stringify(e.argv).split('","').join('", "');
  const result = e.ok === true ? '' : e.ok === false ? ` = ${e.errno ?? 'error'} (failed)` : ' (no result)';
  const by = e.byThread === null ? '' : ` [by thread ${e.byThread}]`;
  return `${e.call} ${e.path === null ? '?' : JSON.stringify(e.path)} ${argv}${result}${by}`;
}

function endText(e: TreeEnd): string {
  switch (e.kind) {
    case 'exited':
      return `exited ${e.code}`;
    case 'killed':
      return `killed by ${e.signal}${e.core ? ' (core dumped)' : ''}`;
    case 'superseded':
      return `superseded by ${e.byTid ?? '?'}`;
    case 'unknown':
      return 'end not recorded';
    default: {
      const never: never = e;
      throw new Error(`unhandled end ${(never as TreeEnd).kind}`);
    }
  }
}
