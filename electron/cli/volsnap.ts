import { runCli } from './main';

// Entry point of the `volsnap` bin; everything testable lives in main.ts.
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
