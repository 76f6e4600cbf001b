import { down, logs, reset, StackError, status, up } from './index';

const usage = 'usage: tsx stack/cli.ts up | down | status | logs [-f] | reset';

async function main(command: string | undefined, args: string[]): Promise<number> {
  switch (command) {
    case 'up':
      await up();
      return 0;
    case 'down':
      await down();
      return 0;
    case 'reset':
      await reset();
      return 0;
    case 'status':
      return (await status()) ? 0 : 1;
    case 'logs':
      await logs(args.includes('-f') || args.includes('--follow'));
      return 0;
    default:
      console.error(usage);
      return 2;
  }
}

main(process.argv[2], process.argv.slice(3)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error instanceof StackError ? `stack: ${error.message}` : error);
    process.exit(1);
  },
);
