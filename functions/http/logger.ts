import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs. Nothing logged may contain a token: handlers log routes, outcomes and error
 * names, never request bodies or upstream responses.
 */
export const logger = new Logger({ serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'homebase-driver' });
