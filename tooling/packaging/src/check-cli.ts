// `pnpm check:packages`: packs every publishable package and runs publint and
// arethetypeswrong on each tarball; exits 1 when any of them finds a problem.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lintTarball } from "./lint.js";
import { packAll } from "./pack.js";
import { checkedPackages } from "./workspace.js";

const dest = mkdtempSync(join(tmpdir(), "mozaiks-check-packages-"));
try {
  const pkgs = checkedPackages();
  const tarballs = await packAll(pkgs, dest);
  let failed = 0;
  for (const pkg of pkgs) {
    const problems = await lintTarball(tarballs.get(pkg.name) as string);
    process.stdout.write(`${problems.length === 0 ? "ok  " : "FAIL"} ${pkg.name}\n`);
    for (const p of problems) process.stdout.write(`     ${p.replaceAll("\n", "\n     ")}\n`);
    if (problems.length > 0) failed++;
  }
  process.stdout.write(`${pkgs.length - failed}/${pkgs.length} packages pass publint and arethetypeswrong\n`);
  process.exitCode = failed > 0 ? 1 : 0;
} finally {
  rmSync(dest, { recursive: true, force: true });
}
