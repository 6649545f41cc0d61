// An understanding worker that cannot start (understanding-thread.test.ts): it fails before it says it is ready.
throw new Error('Cannot find package tsx');
