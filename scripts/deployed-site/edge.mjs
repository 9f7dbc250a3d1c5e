// The site's CloudFront distribution, rehearsed on loopback: what template.yaml's Distribution
// does for a viewer, and nothing more. Every rule is read from the template as CloudFormation
// deploys it: scripts/render-template.py's JSON for the rehearsal's parameters, which reads the
// YAML with SAM's own loader (short tags and all) and resolves the conditions, so this file
// needs no YAML parser. The rules it takes: the cache
// behaviours' path patterns and allowed methods, the viewer-request function's own JavaScript,
// the default root object, and the response headers policy with its CSP rendered from the
// stack's parameters. Resources are found by the names the distribution refers to them by.
//
// Where it must differ from CloudFront:
// - plain http on 127.0.0.1, so no redirect to https (ViewerProtocolPolicy) and no TLS; the
//   Strict-Transport-Security header is still sent, and browsers ignore it over http;
// - no cache (CachingOptimized would keep objects until the publisher's invalidation; the
//   rehearsal reads the bucket on every request, which is what an invalidation restores) and no
//   compression (Compress only changes the encoding);
// - the bucket is moto's S3, read with SigV4 as the origin access control signs (SigningBehavior:
//   always), with moto's test credentials instead of the distribution's service principal; a
//   missing object is moto's 404, where the real bucket, which lets the distribution read
//   objects but not list them, answers 403. Either way the distribution passes the error on,
//   never the app shell;
// - the API origin is `cargo lambda watch` instead of API Gateway.
//
// Usage: node edge.mjs RENDERED_TEMPLATE_JSON S3_ENDPOINT BUCKET API_ORIGIN
// Prints "edge listening on http://127.0.0.1:PORT" once it accepts connections.

import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import vm from 'node:vm';

const [renderedPath, s3Endpoint, bucket, apiOrigin] = process.argv.slice(2);
if (!apiOrigin) {
  console.error('usage: node edge.mjs RENDERED_TEMPLATE_JSON S3_ENDPOINT BUCKET API_ORIGIN');
  process.exit(2);
}

const template = JSON.parse(readFileSync(renderedPath, 'utf8'));
const parameters = Object.fromEntries(
  Object.entries(template.Parameters ?? {}).map(([name, spec]) => [name, String(spec.Default)]),
);
const resources = template.Resources;
const distribution = resources.Distribution.Properties.DistributionConfig;

/** A resource the distribution names with a Ref or a GetAtt. */
function referencedResource(reference) {
  const name = reference?.Ref ?? reference?.['Fn::GetAtt']?.[0];
  const resource = resources[name];
  if (!resource) throw new Error(`the distribution refers to ${JSON.stringify(reference)}, which is no resource`);
  return resource;
}

/**
 * A value as CloudFormation resolves it: Ref to a parameter and Fn::Sub over parameters and its
 * own variables (the Fn::If around them is already resolved by render-template.py).
 */
function resolve(value, variables = {}) {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value?.Ref !== undefined) return lookUp(value.Ref, variables);
  if (value?.['Fn::Sub'] !== undefined) {
    const [text, own = {}] = Array.isArray(value['Fn::Sub']) ? value['Fn::Sub'] : [value['Fn::Sub']];
    const resolvedOwn = Object.fromEntries(Object.entries(own).map(([k, v]) => [k, resolve(v, variables)]));
    return text.replace(/\$\{(!?)([^}]*)\}/g, (_, literal, name) =>
      literal ? `\${${name}}` : lookUp(name, { ...variables, ...resolvedOwn }),
    );
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

function lookUp(name, variables) {
  if (name in variables) return variables[name];
  if (name in parameters) return parameters[name];
  throw new Error(`\${${name}} is neither a parameter nor a variable of its Fn::Sub`);
}

/** The headers a response headers policy adds, each with its Override flag. */
function policyHeaders(policy) {
  const config = policy.Properties.ResponseHeadersPolicyConfig;
  const headers = [];
  const security = config.SecurityHeadersConfig ?? {};
  const add = (name, value, setting) => headers.push({ name, value, override: setting.Override === true });
  if (security.StrictTransportSecurity) {
    const hsts = security.StrictTransportSecurity;
    let value = `max-age=${resolve(hsts.AccessControlMaxAgeSec)}`;
    if (hsts.IncludeSubdomains) value += '; includeSubDomains';
    if (hsts.Preload) value += '; preload';
    add('strict-transport-security', value, hsts);
  }
  if (security.ContentTypeOptions) add('x-content-type-options', 'nosniff', security.ContentTypeOptions);
  if (security.FrameOptions) add('x-frame-options', resolve(security.FrameOptions.FrameOption), security.FrameOptions);
  if (security.ReferrerPolicy) add('referrer-policy', resolve(security.ReferrerPolicy.ReferrerPolicy), security.ReferrerPolicy);
  if (security.ContentSecurityPolicy) {
    const csp = security.ContentSecurityPolicy;
    add('content-security-policy', resolve(csp.ContentSecurityPolicy), csp);
  }
  if (security.XSSProtection) throw new Error('XSSProtection is not rehearsed: add it here');
  for (const item of config.CustomHeadersConfig?.Items ?? []) {
    add(resolve(item.Header).toLowerCase(), resolve(item.Value), item);
  }
  return headers;
}

/** A CloudFront Function, run the way CloudFront runs it: handler(event) on each request. */
function viewerRequestFunction(association) {
  if (!association) return null;
  const code = referencedResource(association.FunctionARN).Properties.FunctionCode;
  const script = new vm.Script(`${code}\n;handler(event);`);
  return (event) => script.runInNewContext({ event });
}

/** CloudFront's path patterns: * and ? wildcards, case-sensitive, matched against the path. */
function pathPatternMatcher(pattern) {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const regex = new RegExp(`^${escaped.startsWith('/') ? '' : '/'}${escaped}$`);
  return (path) => regex.test(path);
}

const origins = Object.fromEntries(
  distribution.Origins.map((origin) => [
    origin.Id,
    origin.S3OriginConfig ? { kind: 's3' } : { kind: 'api' },
  ]),
);

function behaviour(config) {
  const origin = origins[config.TargetOriginId];
  if (!origin) throw new Error(`no origin ${config.TargetOriginId}`);
  return {
    matches: config.PathPattern ? pathPatternMatcher(config.PathPattern) : () => true,
    origin,
    allowedMethods: new Set(config.AllowedMethods ?? ['GET', 'HEAD']),
    viewerRequest: viewerRequestFunction(
      (config.FunctionAssociations ?? []).find((a) => a.EventType === 'viewer-request'),
    ),
    responseHeaders: config.ResponseHeadersPolicyId
      ? policyHeaders(referencedResource(config.ResponseHeadersPolicyId))
      : [],
  };
}

// CloudFront tries the ordered behaviours first, then the default one.
const behaviours = [
  ...(distribution.CacheBehaviors ?? []).map(behaviour),
  behaviour(distribution.DefaultCacheBehavior),
];
const defaultRootObject = distribution.DefaultRootObject;

// What an origin's response keeps on its way to the viewer (hop-by-hop headers are the
// connection's own).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-encoding', 'content-length']);

function send(response, status, headers, body, rules) {
  const out = new Headers();
  for (const [name, value] of headers) if (!HOP_BY_HOP.has(name.toLowerCase())) out.append(name, value);
  for (const { name, value, override } of rules.responseHeaders) {
    if (override || !out.has(name)) out.set(name, value);
  }
  response.writeHead(status, Object.fromEntries(out));
  if (body) Readable.fromWeb(body).pipe(response);
  else response.end();
}

async function handle(request, response) {
  const url = new URL(request.url, 'http://edge.invalid');
  const rules = behaviours.find((b) => b.matches(url.pathname));
  if (!rules.allowedMethods.has(request.method)) {
    // CloudFront's own answer to a method the behaviour does not allow.
    send(response, 403, [['content-type', 'text/plain']], null, rules);
    return;
  }

  if (rules.origin.kind === 'api') {
    // AllViewerExceptHostHeader: every viewer header and the query string, but not Host.
    const headers = Object.entries(request.headers).filter(([name]) => name !== 'host' && !HOP_BY_HOP.has(name));
    const upstream = await fetch(`${apiOrigin}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      redirect: 'manual',
    });
    send(response, upstream.status, upstream.headers, request.method === 'HEAD' ? null : upstream.body, rules);
    return;
  }

  let uri = url.pathname;
  if (rules.viewerRequest) {
    const result = rules.viewerRequest({
      version: '1.0',
      context: { eventType: 'viewer-request' },
      viewer: { ip: request.socket.remoteAddress },
      request: {
        method: request.method,
        uri,
        querystring: Object.fromEntries([...url.searchParams].map(([k, v]) => [k, { value: v }])),
        headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, { value: String(v) }])),
        cookies: {},
      },
    });
    if (result.statusCode !== undefined) {
      // The function answered the viewer itself.
      const headers = Object.entries(result.headers ?? {}).map(([k, v]) => [k, v.value]);
      send(response, result.statusCode, headers, null, rules);
      return;
    }
    uri = result.uri;
  }
  if (uri === '/' && defaultRootObject) uri = `/${defaultRootObject}`;

  const objectUrl = new URL(`${s3Endpoint}/${bucket}${uri}`);
  const upstream = await fetch(objectUrl, { method: request.method, headers: signedForS3(request.method, objectUrl) });
  // The bucket's own headers that describe the object; S3's request IDs and the like are not
  // the viewer's business, and CloudFront's own additions are out of scope.
  const kept = ['content-type', 'cache-control', 'etag', 'last-modified', 'content-language', 'expires'];
  const headers = [...upstream.headers].filter(([name]) => kept.includes(name));
  send(response, upstream.status, headers, request.method === 'HEAD' ? null : upstream.body, rules);
}

// Moto's fixed test credentials; the region the publisher's tests use.
const S3_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing', region: 'us-east-1' };

/** Signature Version 4 headers for a bodiless S3 request (AWS's "Signing AWS API requests"). */
function signedForS3(method, url) {
  const sha256 = (data) => createHash('sha256').update(data).digest('hex');
  const hmac = (key, data) => createHmac('sha256', key).update(data).digest();
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256('');
  const headers = { host: url.host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate };
  const signedHeaders = Object.keys(headers).join(';');
  const canonicalRequest = [
    method,
    url.pathname.split('/').map((segment) => encodeURIComponent(decodeURIComponent(segment))).join('/'),
    '',
    ...Object.entries(headers).map(([name, value]) => `${name}:${value}`),
    '',
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${S3_CREDENTIALS.region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${S3_CREDENTIALS.secretAccessKey}`, day);
  for (const part of [S3_CREDENTIALS.region, 's3', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return {
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
    authorization: `AWS4-HMAC-SHA256 Credential=${S3_CREDENTIALS.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

const server = createServer((request, response) => {
  handle(request, response).catch((error) => {
    // CloudFront's answer when it cannot reach an origin.
    console.error(`edge: ${request.method} ${request.url}: ${error.message}`);
    if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
    response.end('502 Bad Gateway');
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`edge listening on http://127.0.0.1:${server.address().port}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
