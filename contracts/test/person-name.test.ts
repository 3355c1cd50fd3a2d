import { describe, expect, it } from 'vitest';
import { personName, storedPersonName, userRegistered } from '../src/user-events.js';

describe('personName', () => {
  it.each(['Ada', 'Zoë', "O'Brien", 'O’Neil', 'Jean-Luc', 'J. R. R.', 'Nguyễn Văn', 'محمد', '李', 'Ñandú', 'Ζωή'])('takes %j as a name', (name) => {
    expect(personName.parse(name)).toBe(name);
  });

  it.each(['https://evil.example', 'eve@example.com', 'Agent 47', 'Pay: now', '<b>Bobby</b>', 'a/b', "'. -", 'x'.repeat(101)])('refuses %j', (name) => {
    expect(personName.safeParse(name).success).toBe(false);
  });

  it('trims, and says one thing for control characters', () => {
    expect(personName.parse('  Grace ')).toBe('Grace');
    expect(personName.safeParse('Eve\r\nBcc: x@example.com').error?.issues.map((i) => i.message)).toEqual(['must not contain control characters']);
  });

  it('leaves user.registered as it was, so an event of a name stored before the rule still gets its welcome mail', () => {
    expect(storedPersonName.parse('<b>Bobby</b>')).toBe('<b>Bobby</b>');
    const event = { event_id: '3f1c2a9e-1b2c-4d5e-8f90-123456789abc', user_id: 1, email: 'a@example.com', first_name: 'Agent 47', last_name: '<b>', registered_at: '2026-01-01T00:00:00.000Z' };
    expect(userRegistered.parse(event).first_name).toBe('Agent 47');
  });
});
