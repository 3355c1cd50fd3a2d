import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';

describe('front-end configuration', () => {
  it('when nothing is set, links the tools where make up and make dev publish them', () => {
    expect(readConfig({})).toMatchObject({
      BROKER_URL: 'http://localhost:8080',
      DASHBOARD_URL: 'http://localhost:8082/admin/dashboard',
      MAIL_UI_URL: 'http://localhost:8025',
      PROMETHEUS_URL: 'http://localhost:9090',
      TRACES_URL: 'http://localhost:16686',
    });
  });

  it('when a link is set empty, takes it as "no link"', () => {
    expect(readConfig({ PROMETHEUS_URL: '' }).PROMETHEUS_URL).toBe('');
  });

  it('when a link is not an http(s) URL, stops start-up naming it', () => {
    expect(() => readConfig({ TRACES_URL: 'javascript:alert(1)' })).toThrow(/TRACES_URL: expected a URL starting with http:\/\/ or https:\/\/, or nothing/);
  });
});
