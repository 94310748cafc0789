/** Every invalid combination of the space is refused by the real CLI, with the rule in words and nothing written. */
import { describe, expect, it } from 'vitest';
import { checkRejection } from '../../matrix/cli-rejects.ts';
import { buildSpace, CLI_CONTROLS, type InvalidCombination } from '../../matrix/space.ts';

describe('CLI refuses invalid combinations', () => {
  const { invalid } = buildSpace();

  it('has invalid combinations to try', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(2);
  });

  it.each(invalid.map((combination) => [combination.id, combination] as const))('%s', async (_id, combination) => {
    const result = await checkRejection(combination);
    expect(result.problems).toEqual([]);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain(combination.rule);
  });

  it('reports a combination the CLI accepts, and the files it wrote', async () => {
    const accepted: InvalidCombination = {
      id: 'invalid:not-really',
      answers: {},
      argv: ['orders-api', ...CLI_CONTROLS, '--database', 'postgres', '--backup'],
      option: 'backup',
      rule: '--backup needs --database postgres',
    };
    const result = await checkRejection(accepted);
    expect(result.exitCode).toBe(0);
    expect(result.problems).toEqual(expect.arrayContaining([expect.stringMatching(/accepted it/), expect.stringMatching(/does not state the rule/), expect.stringMatching(/^it wrote orders-api/)]));
  }, 60_000);
});
