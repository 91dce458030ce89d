/**
 * The one Powertools Logger of every handler (JSON, service `msk-cutover`).
 * Handlers add `migrationId` and `phase` with `appendKeys`; messages are
 * constant strings with data in the second argument. Never pass a secret,
 * password, task token or signing key to it.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({
  serviceName: 'msk-cutover',
  persistentKeys: { project: 'msk-cutover' },
});
