/**
 * The headers the page is served with, by the backend and by nginx alike
 * (nginx.conf cannot import this, so a test holds the two in step): a
 * Content-Security-Policy that lets the page load only its own files and
 * talk only to its own origin, no MIME sniffing, and a revalidation on each
 * load so that a deploy is seen at once (cheap 304s).
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
});
