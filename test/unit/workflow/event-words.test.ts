/** Case events in human words (thread lines, App Home): never an event's internal name. */
import { describe, expect, it } from 'vitest';
import { eventSentence } from '../../../src/app/event-words.ts';

describe('eventSentence', () => {
  it('says what happened and who did it, in words', () => {
    expect(eventSentence('WorkStarted', 'U0AGENT')).toBe('Work started by <@U0AGENT>.');
    expect(eventSentence('IdentityVerified', 'U0AGENT')).toBe('Identity verified by <@U0AGENT>.');
    expect(eventSentence('Answered', 'cli')).toBe('Answered and closed from the command line.');
  });

  it('a data subject\'s reply names nobody: never "SubjectReplied by someone outside Slack"', () => {
    expect(eventSentence('SubjectReplied', 'system')).toBe('The data subject replied; the clock runs again.');
    expect(eventSentence('Withdrawn', 'system')).toBe('Withdrawn by the data subject and closed.');
  });

  it('an event the table does not know is spelt out, not shown as an identifier', () => {
    expect(eventSentence('RequesterConfirmed', 'U0DPO')).toBe('Requester confirmed by <@U0DPO>.');
    expect(eventSentence('WorkStarted', 'system')).toBe('Work started.');
  });
});
