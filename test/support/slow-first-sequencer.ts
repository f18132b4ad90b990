// The order files are handed to the two workers: the longest first, so a long file never
// starts late and ends the run alone. vitest's own order uses the durations cached by an
// earlier run, which a clean clone (CI) does not have; it then sorts by file size, and in
// the 2026-12-02 clean-clone run terraform-roles.test.ts (296 s) started at 401 s and the
// demo (81 s) at 729 s, while small files had already run. The list is the per-file profile
// of that run (NOTES.md, "the fourth"), longest first. binaries.test.ts is not in it on
// purpose: it waits for the background build of the single executables (ci-tools.ts), so
// it goes late, when that build is done. A file not named here keeps vitest's order, after these.
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { relative } from 'node:path';

export const LONGEST_FIRST = [
  'test/integration/terraform-roles.test.ts',
  'test/integration/terraform.test.ts',
  'test/integration/demo.test.ts',
  'test/integration/rotation-function.test.ts',
  'test/integration/create.test.ts',
  'test/integration/helper-login.test.ts',
  'test/integration/signals.test.ts',
  'test/e2e/zero-pty.test.ts',
  'test/integration/rotate.test.ts',
  'test/integration/lifecycle-guards.test.ts',
  'test/integration/setup.test.ts',
  'test/integration/terraform-rotation.test.ts',
];

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.indexOf(relative(this.ctx.config.root, f.moduleId));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    // Array.prototype.sort is stable: files outside the list keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
