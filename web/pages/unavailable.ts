/**
 * Pages when something fails that is not a refusal: an HTML page (never the API's JSON), 503 with
 * `Retry-After` while the database cannot be reached, 400/404 for an address that cannot be read, 500
 * otherwise (logged with the request id).
 */
import type { ErrorRequestHandler } from 'express';
import { isDatabaseUnavailable } from '../database-unavailable.js';
import { addressErrorStatus } from './errors.js';
import type { PageContext } from './context.js';
import { html } from './html.js';
import { sendMessagePage } from './layout.js';
import { assetHref } from '../static-assets.js';

export const RETRY_AFTER_SECONDS = 30;

/** A page without the frame, for a failure before the page context exists (e.g. the session lookup). */
function bare(status: number) {
  const text =
    status === 503
      ? ['服务暂时不可用，请稍后再试。', 'The service is temporarily unavailable; please try again shortly.']
      : status === 404
        ? ['所请求的页面不存在或尚未公布。', 'This page does not exist or has not been published.']
        : status < 500
          ? ['地址中有无法识别的字符，请检查链接。', 'The address holds characters that cannot be read; check the link.']
          : ['发生意外错误，已记录。', 'An unexpected error occurred; it has been logged.'];
  return html`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${status}</title><link rel="stylesheet" href="${assetHref('site.css')}"></head>
<body><main id="main"><h1>${text[0]}</h1><p lang="en">${text[1]}</p></main></body></html>`.text;
}

export const pageFailureHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) return next(err);
  // the visitor's address, before the page context existed: not a fault of ours, nothing logged as one
  const addressStatus = addressErrorStatus(err);
  if (addressStatus !== null) return res.status(addressStatus).type('html').set('Cache-Control', 'no-store').send(bare(addressStatus));
  const unavailable = isDatabaseUnavailable(err);
  const status = unavailable ? 503 : 500;
  (req as { log?: { error: (o: unknown, m: string) => void } }).log?.error(
    { err },
    unavailable ? 'database unavailable' : 'unhandled page error',
  );
  if (unavailable) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  const ctx = res.locals.page as PageContext | undefined;
  if (!ctx) return res.status(status).type('html').set('Cache-Control', 'no-store').send(bare(status));
  const { t } = ctx;
  return unavailable
    ? sendMessagePage(res, ctx, 503, t.unavailableHeading, t.unavailableBody)
    : sendMessagePage(res, ctx, 500, t.actionFailed, t.unexpectedErrorBody);
};
