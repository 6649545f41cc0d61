// A checkpoint worker that fails at once (checkpointer.test.ts).
throw new Error('cannot open the database file');
