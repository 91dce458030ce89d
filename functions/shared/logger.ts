/**
 * The one Powertools Logger of every handler (JSON, service `msk-cutover`).
 * Handlers add `migrationId` and `phase` with `appendKeys`; messages are
 * constant strings with data in the second argument. Never pass a secret,
 * password, task token or signing key to it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { Log } from './ports.ts';

export const logger = new Logger({
  serviceName: 'msk-cutover',
  persistentKeys: { project: 'msk-cutover' },
});

/**
 * The logger as the cores' narrow {@link Log} port (Powertools types its
 * extra arguments more strictly than the port does).
 */
export const log: Log = {
  debug: (message, extra) => logger.debug(message, asAttributes(extra)),
  info: (message, extra) => logger.info(message, asAttributes(extra)),
  warn: (message, extra) => logger.warn(message, asAttributes(extra)),
  error: (message, extra) => logger.error(message, asAttributes(extra)),
};

function asAttributes(extra?: object): LogAttributes {
  return (extra ?? {}) as LogAttributes;
}
