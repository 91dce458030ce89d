/**
 * Who runs the CLI (STS GetCallerIdentity): the IAM identity recorded as
 * the approver of a decision made from the command line.
 */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';

export interface CallerIdentity {
  arn: string;
  account: string;
  userId: string;
}

export async function callerIdentity(sts: STSClient): Promise<CallerIdentity> {
  const out = await sts.send(new GetCallerIdentityCommand({}));
  if (!out.Arn) throw new Error('STS GetCallerIdentity returned no ARN');
  return {
    arn: out.Arn,
    account: out.Account ?? '',
    userId: out.UserId ?? '',
  };
}
