/** The scheduled refresh run (EventBridge in the cloud, an interval under `npm start`). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { flushMetrics } from './adapters/metrics/refresh-metrics.ts';
import { driver } from './container.ts';
import type { RefreshReport } from './domain/refresh/refresh-job.ts';
import { invocationOf } from './http/invocation.ts';
import { logger } from './http/logger.ts';

export const handler = middy<unknown, RefreshReport, Error, Context>()
  .use(injectLambdaContext(logger))
  .handler(async (_event, context) => {
    try {
      const report = await driver().refreshJob.run(invocationOf(context));
      logger.info('refresh run finished', { ...report });
      return report;
    } finally {
      flushMetrics();
    }
  });
