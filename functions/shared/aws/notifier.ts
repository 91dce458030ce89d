/**
 * Every notification goes two ways: SNS for people (email) and EventBridge
 * (source `msk-cutover`) for chat and paging integrations.
 */
import {
  type EventBridgeClient,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  PublishCommand,
  paginateListSubscriptionsByTopic,
  type SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { TransientError } from '../domain/errors.ts';
import type { Notification, Notifier } from '../ports.ts';

/** EventBridge `source` of every event this project publishes. */
export const EVENT_SOURCE = 'msk-cutover';

/** SNS rejects subjects over 100 characters, with line breaks or non-ASCII. */
export function snsSubject(subject: string): string {
  const ascii = subject
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  const text = ascii === '' ? 'msk-cutover' : ascii;
  return text.length <= 100 ? text : `${text.slice(0, 97)}...`;
}

/** {@link Notifier} over SNS and EventBridge. */
export class SnsEventBridgeNotifier implements Notifier {
  private readonly sns: SNSClient;
  private readonly eventbridge: EventBridgeClient;
  private readonly topicArn: string;
  private readonly eventBusName: string;

  constructor(opts: {
    sns: SNSClient;
    eventbridge: EventBridgeClient;
    topicArn: string;
    eventBusName: string;
  }) {
    this.sns = opts.sns;
    this.eventbridge = opts.eventbridge;
    this.topicArn = opts.topicArn;
    this.eventBusName = opts.eventBusName;
  }

  async publish(n: Notification): Promise<void> {
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: snsSubject(n.subject),
        Message: n.body,
        MessageAttributes: {
          migrationId: { DataType: 'String', StringValue: n.migrationId },
          type: { DataType: 'String', StringValue: n.type },
        },
      }),
    );
    const out = await this.eventbridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.eventBusName,
            Source: EVENT_SOURCE,
            DetailType: n.type,
            Detail: JSON.stringify({
              migrationId: n.migrationId,
              subject: n.subject,
              ...n.detail,
            }),
          },
        ],
      }),
    );
    // PutEvents reports per-entry failures in a 200 response.
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.[0];
      throw new TransientError(
        `EventBridge rejected "${n.type}": ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim(),
      );
    }
  }

  async subscribeEmails(emails: readonly string[]): Promise<string[]> {
    // Pending confirmations are listed too, so a retried start never sends
    // a second confirmation email. Addresses compare case-insensitively.
    const subscribed = new Set<string>();
    for await (const page of paginateListSubscriptionsByTopic(
      { client: this.sns },
      { TopicArn: this.topicArn },
    )) {
      for (const s of page.Subscriptions ?? []) {
        if (s.Protocol === 'email' && s.Endpoint) {
          subscribed.add(s.Endpoint.toLowerCase());
        }
      }
    }
    const added: string[] = [];
    for (const email of emails) {
      if (subscribed.has(email.toLowerCase())) continue;
      await this.sns.send(
        new SubscribeCommand({
          TopicArn: this.topicArn,
          Protocol: 'email',
          Endpoint: email,
        }),
      );
      subscribed.add(email.toLowerCase());
      added.push(email);
    }
    return added;
  }
}
