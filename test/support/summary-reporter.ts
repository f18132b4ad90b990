// Prints the closing line CI reads ("N passed, N failed, N skipped") and, above
// it, why anything was skipped, so a skip is never silent.
import type { Reporter } from 'vitest/reporters';

interface Task {
  type: string;
  name: string;
  mode?: string;
  result?: { state?: string };
  tasks?: Task[];
}

export default class SummaryReporter implements Reporter {
  onFinished(files: Task[] = []): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const reasons = new Set<string>();
    const walk = (t: Task, suiteName: string) => {
      if (t.tasks) {
        for (const c of t.tasks) walk(c, t.type === 'suite' ? t.name : suiteName);
        if (t.result?.state === 'fail' && t.tasks.length === 0) failed++;
        return;
      }
      if (t.mode === 'skip' || t.mode === 'todo') {
        skipped++;
        const why = /\[skipped: (.+)\]$/.exec(suiteName)?.[1];
        reasons.add(why ? `${suiteName.replace(/ \[skipped: .+\]$/, '')}: ${why}` : `${t.name}: skipped`);
      } else if (t.result?.state === 'pass') passed++;
      else if (t.result?.state === 'fail') failed++;
    };
    for (const f of files) walk(f, f.name);
    for (const r of reasons) console.log(`skipped: ${r}`);
    console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
