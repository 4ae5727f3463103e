// Audit (auditors): filled in by the audit pages.
import type { Router } from "../app.js";

export function registerAuditPages(_router: Router): void {}
