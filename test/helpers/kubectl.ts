/**
 * The one rule for tests that need the real kubectl: they run where it is installed; on CI a
 * missing kubectl is a failure (they must run there); elsewhere they skip with a printed reason.
 */
import { existsSync } from 'node:fs';

export const KUBECTL = '/usr/bin/kubectl';
export const kubectlAvailable = existsSync(KUBECTL);

type Body = () => Promise<unknown>;

function missing(what: string): void {
  if (process.env.CI) {
    test(`${what}: kubectl is installed on CI`, () => {
      throw new Error(`${KUBECTL} is missing; the kubectl tests must run on CI`);
    });
  } else {
    console.warn(`skipped (${what}): ${KUBECTL} is not installed; these tests run, and must pass, on CI`);
  }
}

export function testWithKubectl(name: string, body: Body, timeout?: number): void {
  if (kubectlAvailable) test(name, body, timeout);
  else missing(name);
}

export function describeWithKubectl(name: string, body: () => void): void {
  if (kubectlAvailable) describe(name, body);
  else missing(name);
}
