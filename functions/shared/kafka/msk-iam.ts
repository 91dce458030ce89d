/**
 * MSK IAM tokens for SASL/OAUTHBEARER, signed with the function's own role
 * by aws-msk-iam-sasl-signer-js (a presigned `kafka-cluster:Connect` URL,
 * valid 15 minutes). The client asks for a fresh one on every connection.
 */
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';

/** A token provider for one region. */
export function mskIamToken(region: string): () => Promise<string> {
  return async () => (await generateAuthToken({ region })).token;
}
