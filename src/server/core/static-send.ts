import send from '@fastify/send';

/**
 * The one `@fastify/send` every static file goes through (the demo via @fastify/static, plugin
 * static assets, asset downloads). JavaScript is `text/javascript` (RFC 9239, what browsers and
 * the demo expect); mime 3, which @fastify/send bundles, still says `application/javascript`.
 */
send.mime.define({ 'text/javascript': ['js', 'mjs'] }, true);

export { send };
