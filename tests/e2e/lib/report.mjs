// One line per check, and the closing "N passed, N failed[, N skipped]" line the project uses.
export class Report {
  constructor(prefix = "e2e") {
    this.prefix = prefix;
    this.passed = 0;
    this.failed = 0;
    this.skipped = 0;
    this.failures = [];
  }

  pass(name, detail = "") {
    this.passed++;
    console.log(`ok   ${name}${detail ? ` (${detail})` : ""}`);
  }

  fail(name, why) {
    this.failed++;
    this.failures.push(name);
    console.log(`FAIL ${name}: ${why}`);
  }

  skip(name, why) {
    this.skipped++;
    console.log(`skip ${name}: ${why}`);
  }

  /* Runs fn; a returned string is shown as detail; a throw is a failure with its message. */
  async check(name, fn) {
    try {
      const detail = await fn();
      this.pass(name, typeof detail === "string" ? detail : "");
      return true;
    } catch (e) {
      this.fail(name, e && e.message ? e.message.split("\n")[0] : String(e));
      return false;
    }
  }

  finish() {
    if (this.failures.length) console.log(`failing: ${this.failures.join(", ")}`);
    console.log(`${this.passed} passed, ${this.failed} failed${this.skipped ? `, ${this.skipped} skipped` : ""}`);
    return this.failed ? 1 : 0;
  }
}

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
