/** A command line loads only the commands it needs: the one it names, none for --version, all for --help. */
import { commandsFor } from '../../src/cli/commands/index.js';

const loaded = async (argv: readonly string[]) => (await commandsFor(argv)).length;

test('a named command loads that command only, whatever global options come first', async () => {
  expect(await loaded(['validate'])).toBe(1);
  expect(await loaded(['--jobs-dir', 'x', '-n', 'ns', 'status', 'a'])).toBe(1);
});

test('--version alone loads no command; with --help, or with no command, every command is loaded', async () => {
  const all = await loaded([]);
  expect(all).toBeGreaterThan(10);
  expect(await loaded(['--version'])).toBe(0);
  expect(await loaded(['--version', '--help'])).toBe(all);
  expect(await loaded(['--help'])).toBe(all);
});
