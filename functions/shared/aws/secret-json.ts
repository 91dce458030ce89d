/**
 * A Secrets Manager secret read as a JSON object, shared by preflight's
 * inventory and probe-source (which does not import the inventory: its EC2
 * and Service Quotas clients would add about 35 KiB to that bundle).
 */
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ValidationError } from '../domain/errors.ts';

/**
 * The secret's key/value pairs; `null` when the secret does not exist.
 * Callers must never log the values.
 *
 * @throws ValidationError when the secret is not a JSON object; the message
 *   never quotes the secret (a parse error could).
 */
export async function readSecretJson(
  secrets: SecretsManagerClient,
  arn: string,
): Promise<Record<string, unknown> | null> {
  let text: string | undefined;
  try {
    const out = await secrets.send(
      new GetSecretValueCommand({ SecretId: arn }),
    );
    text =
      out.SecretString ??
      (out.SecretBinary
        ? Buffer.from(out.SecretBinary).toString('utf-8')
        : undefined);
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return null;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    parsed = null;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ValidationError(
      `secret ${arn} is not a JSON object (store it as key/value pairs)`,
    );
  }
  return parsed as Record<string, unknown>;
}
