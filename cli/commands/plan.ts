import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('plan <plan.json>')
    .description('Validate a plan and show what it implies');
}
