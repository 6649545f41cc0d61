/** Global test setup: extended as integration services (PostgreSQL, Dovecot, SMTP, fake Slack) are added. */
export default async function setup(): Promise<void> {}
