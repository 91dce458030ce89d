import {
  EventBridgeClient,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  SnsEventBridgeNotifier,
  snsSubject,
} from '../../../../functions/shared/aws/notifier.ts';
import { TransientError } from '../../../../functions/shared/domain/errors.ts';

const sns = mockClient(SNSClient);
const eb = mockClient(EventBridgeClient);

const notifier = () =>
  new SnsEventBridgeNotifier({
    sns: new SNSClient({}),
    eventbridge: new EventBridgeClient({}),
    topicArn: 'arn:aws:sns:us-east-1:111122223333:msk-cutover',
    eventBusName: 'default',
  });

const note = {
  migrationId: 'm1',
  type: 'Replication Ready',
  subject: 'm1: replication is ready',
  body: 'All readiness rules held for 15 minutes.',
  detail: { evidenceId: 'e1' },
};

beforeEach(() => {
  sns.reset();
  eb.reset();
});

describe('SnsEventBridgeNotifier', () => {
  it('should publish to SNS and EventBridge with source msk-cutover', async () => {
    sns.on(PublishCommand).resolves({ MessageId: '1' });
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{}] });
    await notifier().publish(note);
    expect(sns).toReceiveCommandWith(PublishCommand, {
      TopicArn: 'arn:aws:sns:us-east-1:111122223333:msk-cutover',
      Subject: 'm1: replication is ready',
      Message: note.body,
    });
    const entry =
      eb.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({
      EventBusName: 'default',
      Source: 'msk-cutover',
      DetailType: 'Replication Ready',
    });
    expect(JSON.parse(entry?.Detail ?? '{}')).toEqual({
      migrationId: 'm1',
      subject: note.subject,
      evidenceId: 'e1',
    });
  });

  it('should fail when EventBridge rejects the entry', async () => {
    sns.on(PublishCommand).resolves({ MessageId: '1' });
    eb.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow' }],
    });
    await expect(notifier().publish(note)).rejects.toThrow(TransientError);
  });

  it('should make subjects SNS accepts', () => {
    expect(snsSubject('a\nb\tc')).toBe('a b c');
    expect(snsSubject('café')).toBe('caf?');
    expect(snsSubject('x'.repeat(150))).toHaveLength(100);
    expect(snsSubject('  ')).toBe('msk-cutover');
  });

  it('should subscribe only addresses not already subscribed or pending', async () => {
    sns
      .on(ListSubscriptionsByTopicCommand, { NextToken: undefined })
      .resolves({
        Subscriptions: [
          { Protocol: 'email', Endpoint: 'Ops@Example.com' },
          { Protocol: 'https', Endpoint: 'https://hooks.example.com' },
        ],
        NextToken: 'p2',
      })
      .on(ListSubscriptionsByTopicCommand, { NextToken: 'p2' })
      .resolves({
        Subscriptions: [
          // A pending confirmation still counts: no second email.
          { Protocol: 'email', Endpoint: 'pending@example.com' },
        ],
      });
    sns
      .on(SubscribeCommand)
      .resolves({ SubscriptionArn: 'pending confirmation' });
    const added = await notifier().subscribeEmails([
      'ops@example.com',
      'pending@example.com',
      'new@example.com',
      'NEW@example.com',
    ]);
    expect(added).toEqual(['new@example.com']);
    expect(sns.commandCalls(SubscribeCommand)).toHaveLength(1);
    expect(sns).toReceiveCommandWith(SubscribeCommand, {
      TopicArn: 'arn:aws:sns:us-east-1:111122223333:msk-cutover',
      Protocol: 'email',
      Endpoint: 'new@example.com',
    });
  });
});
