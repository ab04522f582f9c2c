/** The scheduled refresh run (EventBridge in the cloud, an interval under `npm start`). */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type RunReport, refreshJob } from './composition/refresh-job.ts';
import { type ConfigSource, fromEnvironment } from './config.ts';
import { invocationOf } from './http/invocation.ts';
import { logContext, logger, publishMetrics } from './observability.ts';

export function refreshHandler(config: ConfigSource) {
  const job = refreshJob(config);
  return middy<unknown, RunReport, Error, Context>()
    .use(logContext())
    .use(publishMetrics)
    .handler(async (_event, context) => {
      const report = await job().run(invocationOf(context));
      logger.info('refresh run finished', { ...report });
      return report;
    });
}

export const handler = refreshHandler(fromEnvironment);
