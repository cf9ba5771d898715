// Redirect targets taken from a request (server/http/same-site-path.ts) and the console login's
// `next` (src/components/console/console-access.ts): only paths on this site, resolved as a
// browser resolves a Location, whatever the spelling.
import { describe, expect, it } from 'vitest';
import { sameSitePath } from '../../server/http/same-site-path.ts';
import { safeNext } from '../../src/components/console/console-access.ts';

/** Each one leads a browser to another host (or runs script) when followed as written. */
const ELSEWHERE = [
  '//evil.example',
  '///evil.example',
  '/\\evil.example',
  '\\/evil.example',
  '\\\\evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r/evil.example',
  '/\r\n/evil.example',
  '\t//evil.example',
  '   //evil.example',
  '\u0000//evil.example',
  '\u000b//evil.example',
  '/.//evil.example',
  '/..//evil.example',
  '/a/..//evil.example',
  '/\\/evil.example',
  'https://evil.example',
  'HTTPS://evil.example/path',
  'http://evil.example',
  '  https://evil.example',
  'javascript:alert(1)',
  'JavaScript:alert(1)',
  '\tjavascript:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'mailto:someone@evil.example',
];

describe('sameSitePath', () => {
  it.each(ELSEWHERE)('refuses %j', (target) => {
    expect(sameSitePath(target)).toBeNull();
  });

  it('refuses nothing at all', () => {
    for (const target of [null, undefined, '', '   ']) expect(sameSitePath(target)).toBeNull();
  });

  it('keeps a path on this site, query and fragment included', () => {
    expect(sameSitePath('/notices/n-1/')).toBe('/notices/n-1/');
    expect(sameSitePath('/console/tickets/ABC-DEF-GHJ?done=accept#timeline')).toBe('/console/tickets/ABC-DEF-GHJ?done=accept#timeline');
    expect(sameSitePath('/')).toBe('/');
  });

  it('answers with the resolved path, not the text it was given', () => {
    // Leading spaces and tabs inside are dropped, as a browser drops them.
    expect(sameSitePath('  /notices/')).toBe('/notices/');
    expect(sameSitePath('/no\ttices/')).toBe('/notices/');
    // Backslashes are slashes; dot segments are resolved.
    expect(sameSitePath('/a\\b')).toBe('/a/b');
    expect(sameSitePath('/console/../notices/')).toBe('/notices/');
    expect(sameSitePath('/console/%2e%2e/notices/')).toBe('/notices/');
    // What is still encoded stays encoded: a path, never a host.
    expect(sameSitePath('/%09/evil.example')).toBe('/%09/evil.example');
    expect(sameSitePath('%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
    expect(sameSitePath('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
    expect(sameSitePath('/%5Cevil.example')).toBe('/%5Cevil.example');
    // Non-ASCII and control characters go out percent-encoded: a Location header takes only ASCII.
    expect(sameSitePath('/搜索/?q=垃 圾#结果')).toBe('/%E6%90%9C%E7%B4%A2/?q=%E5%9E%83%20%E5%9C%BE#%E7%BB%93%E6%9E%9C');
    expect(sameSitePath('/a\u0000b')).toBe('/a%00b');
    // A relative path is relative to the site's root.
    expect(sameSitePath('notices/')).toBe('/notices/');
  });
});

describe('the console login’s next', () => {
  it.each(ELSEWHERE)('refuses %j', (target) => {
    expect(safeNext(target)).toBeNull();
  });

  it('follows console pages only, never the login or logout page, nor a path that leaves /console', () => {
    expect(safeNext('/console/tickets/ABC-DEF-GHJ?x=1')).toBe('/console/tickets/ABC-DEF-GHJ?x=1');
    expect(safeNext('/console')).toBe('/console');
    expect(safeNext('/console?status=new')).toBe('/console?status=new');
    for (const target of [
      '/console/login',
      '/console/login?next=/console',
      '/console/logout',
      '/consoleevil',
      '/console/../notices/',
      '/console/%2e%2e/notices/',
      '/notices/',
      '/\t/console',
      '//evil.example/console',
      'https://evil.example/console',
    ]) {
      expect(safeNext(target), target).toBeNull();
    }
    // An encoded slash is no dot segment: still a console path.
    expect(safeNext('/console/..%2F..%2Fevil')).toBe('/console/..%2F..%2Fevil');
  });
});
