import type { Router } from "../app.js";

export function registerTaskPages(_router: Router): void {}
